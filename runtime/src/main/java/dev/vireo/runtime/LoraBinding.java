package dev.vireo.runtime;

import dev.vireo.kernels.LowRank;
import dev.vireo.kernels.LowRankSet;
import dev.vireo.kernels.WeightMatrix;
import dev.vireo.runtime.lora.AdapterUse;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a list of adapters into the per-weight {@link LowRankSet}s the kernels apply: for every
 * layer matrix (and the output matrix) the terms of each adapter with a non-zero scale that
 * touches it. Matrices no adapter touches get null, so they run the plain product.
 */
final class LoraBinding {
    final LowRankSet[][] perLayer;
    final LowRankSet output;

    private LoraBinding(LowRankSet[][] perLayer, LowRankSet output) {
        this.perLayer = perLayer;
        this.output = output;
    }

    /** No adapters. */
    static final LoraBinding NONE = new LoraBinding(null, null);

    static LoraBinding of(List<AdapterUse> uses, ModelWeights w, int maxTokens) {
        if (uses.stream().allMatch(u -> u.scale() == 0f)) {
            return NONE;
        }
        LowRankSet[][] perLayer = new LowRankSet[w.layers.length][Projection.ALL.length];
        for (int l = 0; l < w.layers.length; l++) {
            for (Projection p : Projection.ALL) {
                perLayer[l][p.ordinal()] = set(uses, p.weightName(l), w.layers[l].matrix(p), maxTokens);
            }
        }
        LowRankSet output = set(uses, ModelWeights.OUTPUT, w.output, maxTokens);
        return new LoraBinding(perLayer, output);
    }

    private static LowRankSet set(List<AdapterUse> uses, String name, WeightMatrix m, int maxTokens) {
        List<LowRank> terms = new ArrayList<>();
        for (AdapterUse u : uses) {
            if (u.scale() == 0f) {
                continue;
            }
            LowRank t = u.adapter().term(name, u.scale());
            if (t != null) {
                terms.add(t);
            }
        }
        if (terms.isEmpty()) {
            return null;
        }
        try {
            return new LowRankSet(terms, m.rows(), m.cols(), maxTokens);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("LoRA for '" + name + "': " + e.getMessage(), e);
        }
    }
}
