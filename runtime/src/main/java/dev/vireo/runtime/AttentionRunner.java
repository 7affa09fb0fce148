package dev.vireo.runtime;

import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.VectorOps;

/**
 * Causal attention of a batch of tokens over the KV cache: token t of a batch starting at
 * position {@code start} sees positions {@code 0 .. start + t}. Reads the queries of the batch
 * and writes the head outputs, both laid out {@code t * queryLength}.
 */
final class AttentionRunner {
    private final ModelConfig c;
    private final VectorOps ops;
    private final KvCache cache;
    private final float[] q;
    private final float[] out;
    private final float scale;
    private final float[] scores;

    AttentionRunner(ModelConfig c, VectorOps ops, MatrixKernels mk, KvCache cache, float[] q, float[] out, float scale) {
        this.c = c;
        this.ops = ops;
        this.cache = cache;
        this.q = q;
        this.out = out;
        this.scale = scale;
        this.scores = new float[cache.limit()];
    }

    void run(int layer, int start, int n) {
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        int qLen = c.queryLength();
        for (int t = 0; t < n; t++) {
            ops.attention(q, t * qLen, keys, values, start + t + 1, c.headCount(), c.headCountKv(), c.headDim(), scale,
                    scores, out, t * qLen);
        }
    }
}
