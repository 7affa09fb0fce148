package dev.vireo.runtime;

import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.RangeTask;
import dev.vireo.kernels.VectorOps;
import dev.vireo.kernels.WorkerPool;

/**
 * Causal attention of a batch of tokens over the KV cache: token t of a batch starting at
 * position {@code start} sees positions {@code 0 .. start + t}. Reads the queries of the batch
 * and writes the head outputs, both laid out {@code t * queryLength}.
 *
 * <p>The tokens of a batch are independent, so they are spread over the session's worker pool,
 * each thread with its own score scratch. This object is the reusable task: a call allocates
 * nothing.
 */
final class AttentionRunner implements RangeTask {
    private final ModelConfig c;
    private final VectorOps ops;
    private final WorkerPool pool;
    private final KvCache cache;
    private final float[] q;
    private final float[] out;
    private final float scale;
    /** One score buffer of a full context per pool thread. */
    private final float[][] scores;

    // The call in progress (set before parallelFor, read by the workers after its phase bump).
    private float[] keys;
    private float[] values;
    private int start;

    AttentionRunner(ModelConfig c, VectorOps ops, MatrixKernels mk, KvCache cache, float[] q, float[] out, float scale) {
        this.c = c;
        this.ops = ops;
        this.pool = mk.pool();
        this.cache = cache;
        this.q = q;
        this.out = out;
        this.scale = scale;
        this.scores = new float[pool.threads()][cache.limit()];
    }

    void attend(int layer, int start, int n) {
        this.keys = cache.keys[layer];
        this.values = cache.values[layer];
        this.start = start;
        pool.parallelFor(n, 1, this);
    }

    @Override
    public void run(int from, int to, int worker) {
        int qLen = c.queryLength();
        float[] s = scores[worker];
        for (int t = from; t < to; t++) {
            ops.attention(q, t * qLen, keys, values, start + t + 1, c.headCount(), c.headCountKv(), c.headDim(), scale, s,
                    out, t * qLen);
        }
    }
}
