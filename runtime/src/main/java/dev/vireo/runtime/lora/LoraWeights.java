package dev.vireo.runtime.lora;

import dev.vireo.kernels.WeightMatrix;

/**
 * The two matrices an adapter holds for one base weight W ({@code out x in}), and the factor its
 * training used.
 *
 * @param a the down projection, {@code r x in}
 * @param b the up projection, {@code out x r}
 * @param factor alpha / r (rsLoRA: alpha / sqrt(r)); 1 for a GGUF adapter without alpha, as in
 *     llama.cpp. The effective scale of a term is {@code userScale * factor}.
 */
record LoraWeights(WeightMatrix a, WeightMatrix b, float factor) {
    LoraWeights {
        if (a.rows() != b.cols()) {
            throw new IllegalArgumentException("LoRA A has " + a.rows() + " rows but B has " + b.cols() + " columns");
        }
    }

    int rank() {
        return a.rows();
    }

    /** llama.cpp's rule ({@code llama_adapter_lora_weight::get_scale}): alpha 0 means "no alpha". */
    static float factor(float alpha, int rank, boolean rsLora) {
        if (alpha == 0f) {
            return 1f;
        }
        return rsLora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
    }
}
