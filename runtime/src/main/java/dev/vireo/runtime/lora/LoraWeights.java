package dev.vireo.runtime.lora;

import dev.vireo.kernels.LowRankFactors;
import dev.vireo.kernels.WeightMatrix;

/**
 * The two matrices an adapter holds for one base weight W ({@code out x in}), and the factor its
 * training used.
 *
 * @param factors A ({@code r x in}) and B ({@code out x r}), built once per adapter tensor so
 *     every session applying it shares B's repacked panels
 * @param factor alpha / r (rsLoRA: alpha / sqrt(r)); 1 for a GGUF adapter without alpha, as in
 *     llama.cpp. The effective scale of a term is {@code userScale * factor}.
 */
record LoraWeights(LowRankFactors factors, float factor) {
    LoraWeights(WeightMatrix a, WeightMatrix b, float factor) {
        this(new LowRankFactors(a, b), factor);
    }

    WeightMatrix a() {
        return factors.a();
    }

    WeightMatrix b() {
        return factors.b();
    }

    int rank() {
        return factors.rank();
    }

    /** llama.cpp's rule ({@code llama_adapter_lora_weight::get_scale}): alpha 0 means "no alpha". */
    static float factor(float alpha, int rank, boolean rsLora) {
        if (alpha == 0f) {
            return 1f;
        }
        return rsLora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
    }
}
