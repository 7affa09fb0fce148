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
 * <p>Work is split into (token, KV head) units, each the attention of one KV head's group of
 * query heads for one token, and spread over the session's worker pool with a score scratch per
 * thread; so even a single decode token uses every thread. This object is the reusable task: a
 * call allocates nothing.
 */
final class AttentionRunner implements RangeTask {
    private final ModelConfig c;
    private final VectorOps ops;
    private final WorkerPool pool;
    private final KvCache cache;
    private final float[] q;
    private final float[] out;
    private final float scale;
    private final int group;
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
        this.group = c.headCount() / c.headCountKv();
        this.scores = new float[pool.threads()][cache.limit()];
    }

    void attend(int layer, int start, int n) {
        this.keys = cache.keys[layer];
        this.values = cache.values[layer];
        this.start = start;
        pool.parallelFor(n * c.headCountKv(), 1, this);
    }

    @Override
    public void run(int from, int to, int worker) {
        int qLen = c.queryLength();
        int nKv = c.headCountKv();
        int hd = c.headDim();
        float[] s = scores[worker];
        for (int u = from; u < to; u++) {
            int t = u / nKv;
            int kv = u - t * nKv;
            int off = t * qLen + kv * group * hd;
            ops.attention(q, off, keys, values, cache.headOffset(kv), start + t + 1, group, 1, hd, scale, s, out, off);
        }
    }
}
