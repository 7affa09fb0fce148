package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;
import dev.vireo.testing.Shared;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    /** A minimal llama-like metadata map that tests modify. */
    private static Map<String, GgufValue> base(String arch) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.ofString(arch));
        m.put(arch + ".embedding_length", GgufValue.ofUInt32(64));
        m.put(arch + ".block_count", GgufValue.ofUInt32(2));
        m.put(arch + ".attention.head_count", GgufValue.ofUInt32(8));
        m.put(arch + ".feed_forward_length", GgufValue.ofUInt32(100));
        m.put(arch + ".context_length", GgufValue.ofUInt32(128));
        m.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-6f));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings("a", "b", "c"));
        return m;
    }

    @Test
    void stories260KHyperparameters() throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            ModelConfig c = ModelConfig.fromMetadata(f.metadata());
            assertEquals(Architecture.LLAMA, c.architecture());
            assertEquals(64, c.embeddingLength());
            assertEquals(5, c.blockCount());
            assertEquals(8, c.headCount());
            assertEquals(4, c.headCountKv());
            assertEquals(8, c.headDim());
            assertEquals(172, c.feedForwardLength());
            assertEquals(2048, c.contextLength());
            assertEquals(512, c.vocabSize());
            assertEquals(10000f, c.ropeBase()); // key absent: llama.cpp's default
            assertEquals(8, c.ropeDimensionCount());
            assertEquals(1f, c.ropeFreqScale());
            assertEquals(1e-5f, c.rmsEps(), 1e-12);
            assertFalse(c.ropeNeox());
        }
    }

    @Test
    void qwen3UsesNeoxRope() throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/synthetic/tiny-qwen3-F32.gguf"))) {
            ModelConfig c = ModelConfig.fromMetadata(f.metadata());
            assertEquals(Architecture.QWEN3, c.architecture());
            assertTrue(c.ropeNeox());
            assertEquals(32, c.headDim());
            assertEquals(2, c.headCountKv());
        }
    }

    @Test
    void defaultsWhenOptionalKeysAreAbsent() {
        ModelConfig c = ModelConfig.fromMetadata(new GgufMetadata(base("llama")));
        assertEquals(8, c.headCountKv()); // head_count_kv defaults to head_count
        assertEquals(8, c.headDim()); // n_embd / n_head
        assertEquals(8, c.ropeDimensionCount());
        assertEquals(10000f, c.ropeBase());
        assertEquals(1f, c.ropeFreqScale());
        assertEquals(3, c.vocabSize());
    }

    @Test
    void qwen3KeyLengthAndLinearRopeScaling() {
        Map<String, GgufValue> m = base("qwen3");
        m.put("qwen3.attention.key_length", GgufValue.ofUInt32(16));
        m.put("qwen3.attention.value_length", GgufValue.ofUInt32(16));
        m.put("qwen3.attention.head_count_kv", GgufValue.ofInts(2, 2));
        m.put("qwen3.rope.freq_base", GgufValue.ofFloat32(1e6f));
        m.put("qwen3.rope.scaling.type", GgufValue.ofString("linear"));
        m.put("qwen3.rope.scaling.factor", GgufValue.ofFloat32(4f));
        ModelConfig c = ModelConfig.fromMetadata(new GgufMetadata(m));
        assertEquals(16, c.headDim());
        assertEquals(128, c.queryLength());
        assertEquals(2, c.headCountKv());
        assertEquals(16, c.ropeDimensionCount());
        assertEquals(1e6f, c.ropeBase());
        assertEquals(0.25f, c.ropeFreqScale());
    }

    @Test
    void unknownArchitectureListsTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromMetadata(new GgufMetadata(base("gpt2"))));
        assertEquals("unsupported architecture 'gpt2' (supported: llama, qwen2, qwen3)", e.getMessage());
    }

    @Test
    void missingRequiredKeyIsNamed() {
        Map<String, GgufValue> m = base("llama");
        m.remove("llama.block_count");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromMetadata(new GgufMetadata(m)));
        assertTrue(e.getMessage().contains("llama.block_count"), e.getMessage());
    }

    @Test
    void headCountsThatDoNotGroupAreRejected() {
        Map<String, GgufValue> m = base("llama");
        m.put("llama.attention.head_count_kv", GgufValue.ofUInt32(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromMetadata(new GgufMetadata(m)));
        assertTrue(e.getMessage().contains("head_count_kv 3"), e.getMessage());
    }

    @Test
    void unsupportedRopeScalingIsRejected() {
        Map<String, GgufValue> m = base("llama");
        m.put("llama.rope.scaling.type", GgufValue.ofString("yarn"));
        m.put("llama.rope.scaling.factor", GgufValue.ofFloat32(8f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromMetadata(new GgufMetadata(m)));
        assertTrue(e.getMessage().contains("rope.scaling.type") && e.getMessage().contains("yarn"), e.getMessage());
    }
}
