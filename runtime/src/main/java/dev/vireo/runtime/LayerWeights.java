package dev.vireo.runtime;

import dev.vireo.kernels.WeightMatrix;

/**
 * The tensors of one layer. Matrices are views of the file mapping; the small vectors (norms,
 * biases) are copied to float arrays. Optional tensors are null when the file has none.
 *
 * @param matrices indexed by {@link Projection#ordinal()}
 * @param biases indexed by {@link Projection#ordinal()}, entries null when absent (qwen2 has q/k/v)
 * @param qNorm per-head RMSNorm weight of the queries (qwen3), or null
 * @param kNorm per-head RMSNorm weight of the keys (qwen3), or null
 */
record LayerWeights(float[] attnNorm, WeightMatrix[] matrices, float[][] biases, float[] qNorm, float[] kNorm,
        float[] ffnNorm) {

    WeightMatrix matrix(Projection p) {
        return matrices[p.ordinal()];
    }

    float[] bias(Projection p) {
        return biases[p.ordinal()];
    }
}
