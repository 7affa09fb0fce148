package dev.vireo.runtime;

import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;

/**
 * The hyperparameters of a model, read from GGUF metadata ({@code {arch}.embedding_length} ...),
 * with llama.cpp's defaults where a key is optional.
 *
 * @param architecture the model family
 * @param embeddingLength n_embd: width of the residual stream
 * @param blockCount number of transformer layers
 * @param headCount query heads per layer
 * @param headCountKv key/value heads per layer (grouped-query attention when fewer than headCount)
 * @param headDim values per head for queries, keys and values
 * @param feedForwardLength hidden width of the SwiGLU feed-forward block
 * @param contextLength positions the model was trained for (the default KV cache size)
 * @param vocabSize number of tokens (length of {@code tokenizer.ggml.tokens})
 * @param ropeBase RoPE frequency base
 * @param ropeDimensionCount leading values of each head that RoPE rotates (the rest pass through)
 * @param ropeFreqScale linear position scaling (1 / rope.scaling.factor; 1 for none)
 * @param ropeNeox half-split rotation (qwen) rather than adjacent pairs (llama)
 * @param rmsEps epsilon of every RMSNorm
 */
public record ModelConfig(Architecture architecture, int embeddingLength, int blockCount, int headCount,
        int headCountKv, int headDim, int feedForwardLength, int contextLength, int vocabSize, float ropeBase,
        int ropeDimensionCount, float ropeFreqScale, boolean ropeNeox, float rmsEps) {

    public ModelConfig {
        positive("embedding_length", embeddingLength);
        positive("block_count", blockCount);
        positive("attention.head_count", headCount);
        positive("attention.head_count_kv", headCountKv);
        positive("head size", headDim);
        positive("feed_forward_length", feedForwardLength);
        positive("context_length", contextLength);
        positive("vocabulary size", vocabSize);
        if (headCount % headCountKv != 0) {
            throw new IllegalArgumentException("attention.head_count " + headCount
                    + " is not a multiple of attention.head_count_kv " + headCountKv);
        }
        if (ropeDimensionCount <= 0 || ropeDimensionCount % 2 != 0 || ropeDimensionCount > headDim) {
            throw new IllegalArgumentException("rope.dimension_count " + ropeDimensionCount
                    + " must be even and between 2 and the head size " + headDim);
        }
        if (!(ropeBase > 0) || !(ropeFreqScale > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException("rope.freq_base " + ropeBase + ", rope scale " + ropeFreqScale
                    + " and layer_norm_rms_epsilon " + rmsEps + " must be positive");
        }
    }

    private static void positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " is " + v + " (must be positive)");
        }
    }

    /** Values per query vector: {@code headCount * headDim}. */
    public int queryLength() {
        return headCount * headDim;
    }

    /** Values per key (or value) vector of one position: {@code headCountKv * headDim}. */
    public int kvLength() {
        return headCountKv * headDim;
    }

    /**
     * Reads the hyperparameters of a model file.
     *
     * @throws IllegalArgumentException for an unsupported architecture, a missing required key or
     *     inconsistent values (one line naming the key)
     */
    public static ModelConfig fromMetadata(GgufMetadata m) {
        try {
            return read(m);
        } catch (GgufMetadata.MetadataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ModelConfig read(GgufMetadata m) {
        Architecture arch = Architecture.fromGgufName(m.getString("general.architecture"));
        String p = arch.ggufName() + ".";
        int embd = m.getInt(p + "embedding_length");
        int layers = m.getInt(p + "block_count");
        int heads = uniform(m, p + "attention.head_count", layers, -1);
        // llama.cpp: head_count_kv defaults to head_count (no grouping).
        int headsKv = uniform(m, p + "attention.head_count_kv", layers, heads);
        int ff = uniform(m, p + "feed_forward_length", layers, -1);
        int ctx = m.getInt(p + "context_length");
        if (heads <= 0) {
            throw new IllegalArgumentException("metadata key '" + p + "attention.head_count' is " + heads);
        }
        int defaultHead = embd / heads;
        int keyLength = m.getInt(p + "attention.key_length", defaultHead);
        int valueLength = m.getInt(p + "attention.value_length", defaultHead);
        if (keyLength != valueLength) {
            throw new IllegalArgumentException("attention.key_length " + keyLength + " differs from attention.value_length "
                    + valueLength + " (not supported)");
        }
        int nRot = m.getInt(p + "rope.dimension_count", keyLength);
        if (arch == Architecture.LLAMA && nRot != keyLength) {
            throw new IllegalArgumentException("metadata key '" + p + "rope.dimension_count' is " + nRot
                    + " but llama needs the head size " + keyLength);
        }
        float base = m.getFloat(p + "rope.freq_base", 10000f);
        float freqScale = ropeFreqScale(m, p);
        float eps = m.getFloat(p + "attention.layer_norm_rms_epsilon");
        GgufValue tokens = m.find("tokenizer.ggml.tokens")
                .orElseThrow(() -> new IllegalArgumentException("metadata key 'tokenizer.ggml.tokens' is missing"));
        return new ModelConfig(arch, embd, layers, heads, headsKv, keyLength, ff, ctx, tokens.count(), base, nRot,
                freqScale, arch.ropeNeox(), eps);
    }

    /** Linear scaling as llama.cpp reads it: type "linear" (the default type) with factor f gives 1/f. */
    private static float ropeFreqScale(GgufMetadata m, String p) {
        String type = m.findString(p + "rope.scaling.type").orElse("linear");
        float factor = m.has(p + "rope.scaling.factor") ? m.getFloat(p + "rope.scaling.factor")
                : m.getFloat(p + "rope.scale_linear", 0f);
        return switch (type) {
            case "none" -> 1f;
            case "linear" -> factor == 0f ? 1f : 1f / factor;
            default -> {
                if (factor == 0f || factor == 1f) {
                    yield 1f; // a scaling type with no scaling to do
                }
                throw new IllegalArgumentException("metadata key '" + p + "rope.scaling.type' = '" + type
                        + "' is not supported (supported: none, linear)");
            }
        };
    }

    /**
     * A key llama.cpp accepts as a scalar or as a per-layer array. Vireo needs the same value in
     * every layer.
     *
     * @param absent the value when the key is missing, or -1 when it is required
     */
    private static int uniform(GgufMetadata m, String key, int layers, int absent) {
        if (!m.has(key) && absent >= 0) {
            return absent;
        }
        int[] perLayer = m.getIntOrArray(key, layers);
        for (int v : perLayer) {
            if (v != perLayer[0]) {
                throw new IllegalArgumentException("metadata key '" + key + "' differs between layers (not supported)");
            }
        }
        return perLayer[0];
    }
}
