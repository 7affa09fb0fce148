package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.testing.Shared;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Switches of the forward pass that the golden models do not exercise, checked on edited copies
 * of stories260K: Llama 3 {@code rope_freqs} against the equivalent linear scaling, a tied
 * output matrix against an explicit copy, and bad files.
 */
class ModelVariantsTest {
    @TempDir
    Path dir;

    private static final int[] TOKENS = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315};

    /** Copies stories260K with its metadata edited and tensors replaced ({@code null} value: dropped). */
    private Path variant(String name, Consumer<Map<String, GgufValue>> meta, Map<String, GgufTensor> replace)
            throws Exception {
        Path out = dir.resolve(name + ".gguf");
        try (GgufFile base = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            Map<String, GgufValue> m = new java.util.LinkedHashMap<>(base.metadata().asMap());
            meta.accept(m);
            GgufWriter w = new GgufWriter();
            m.forEach(w::addMetadata);
            for (GgufTensor t : base.tensors()) {
                if (!replace.containsKey(t.name())) {
                    w.addTensor(t.name(), t.type(), t.shape(), GgufWriter.TensorSource.of(t.data()));
                }
            }
            for (var e : replace.entrySet()) {
                GgufTensor t = e.getValue();
                if (t != null) {
                    w.addTensor(e.getKey(), t.type(), t.shape(), GgufWriter.TensorSource.of(t.data()));
                }
            }
            w.write(out);
        }
        return out;
    }

    private static float[] logits(Path model) throws Exception {
        try (Model m = Model.load(model); Session s = m.newSession(new SessionOptions(1, 64))) {
            float[] all = new float[TOKENS.length * m.config().vocabSize()];
            s.evaluate(TOKENS, all);
            return all;
        }
    }

    private static GgufTensor f32Vector(String name, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new GgufTensor(name, GgmlType.F32, new long[] {values.length}, 0,
                java.lang.foreign.MemorySegment.ofArray(b.array()));
    }

    private static float maxDiff(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void ropeFreqsDivideTheFrequenciesLikeLinearScaling() throws Exception {
        float[] base = logits(Shared.file("models/stories260K.gguf"));
        // stories260K rotates 8 dims: rope_freqs has 4 divisors. Dividing every frequency by 2 is
        // what a linear scaling factor of 2 does.
        float[] freqs = logits(variant("freqs", m -> {}, Map.of("rope_freqs.weight", f32Vector("rope_freqs.weight", 2, 2, 2, 2))));
        float[] linear = logits(variant("linear", m -> {
            m.put("llama.rope.scaling.type", GgufValue.ofString("linear"));
            m.put("llama.rope.scaling.factor", GgufValue.ofFloat32(2f));
        }, Map.of()));
        assertArrayEquals(linear, freqs, 1e-5f);
        assertTrue(maxDiff(base, freqs) > 1e-2f, "scaling changed nothing: " + maxDiff(base, freqs));
        // Row 0 (position 0: no rotation at all) is unchanged.
        int v = 512;
        assertArrayEquals(java.util.Arrays.copyOf(base, v), java.util.Arrays.copyOf(freqs, v), 1e-5f);
        // Factors of 1 change nothing.
        float[] ones = logits(variant("ones", m -> {}, Map.of("rope_freqs.weight", f32Vector("rope_freqs.weight", 1, 1, 1, 1))));
        assertArrayEquals(base, ones, 1e-5f);
    }

    @Test
    void tiedOutputReusesTheEmbedding() throws Exception {
        GgufTensor embd;
        Path explicit;
        Path tied;
        try (GgufFile base = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            embd = base.tensor("token_embd.weight");
            explicit = variant("explicit", m -> {}, Map.of("output.weight", embd));
            java.util.HashMap<String, GgufTensor> drop = new java.util.HashMap<>();
            drop.put("output.weight", null);
            tied = variant("tied", m -> {}, drop);
        }
        try (Model m = Model.load(tied)) {
            assertTrue(m.describe().contains("tied output"), m.describe());
        }
        // Same products; only the lane order of Vector API sums may differ between runs.
        assertArrayEquals(logits(explicit), logits(tied), 1e-5f);
    }

    @Test
    void wrongShapeAndMissingTensorAreNamed() throws Exception {
        java.util.HashMap<String, GgufTensor> drop = new java.util.HashMap<>();
        drop.put("blk.3.ffn_up.weight", null);
        Path missing = variant("missing", m -> {}, drop);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(missing));
        assertTrue(e.getMessage().contains("blk.3.ffn_up.weight") && e.getMessage().contains("missing"), e.getMessage());

        Path wrong = variant("wrong", m -> {}, Map.of("output_norm.weight", f32Vector("output_norm.weight", 1, 2, 3)));
        e = assertThrows(IllegalArgumentException.class, () -> Model.load(wrong));
        assertEquals(wrong + ": tensor 'output_norm.weight' has shape [3], expected [64]", e.getMessage());

        Path arch = variant("arch", m -> m.put("general.architecture", GgufValue.ofString("mamba")), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> Model.load(arch));
        assertEquals(arch + ": unsupported architecture 'mamba' (supported: llama, qwen2, qwen3)", e.getMessage());
    }

    @Test
    void generationStopsAtTheEndOfGenerationToken() throws Exception {
        // Greedy stories260K from BOS starts 403 407 261 378 ("Once upon a time"): declaring 378
        // the EOS token must end the generation after three tokens, without emitting it.
        Path eos = variant("eos", m -> m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(378)), Map.of());
        try (Model m = Model.load(eos); Session s = m.newSession(new SessionOptions(1, 0))) {
            java.util.List<Integer> ids = new java.util.ArrayList<>();
            GenerationResult r = s.generate("", GenerationParams.greedy().withMaxTokens(50), (id, text) -> ids.add(id));
            assertEquals(StopReason.END_OF_GENERATION, r.stopReason());
            assertEquals(java.util.List.of(403, 407, 261), ids);
            assertEquals(3, r.generatedTokens());
            assertEquals("Once upon a", r.text());
            assertEquals(4, s.position(), "BOS and three tokens; the end token is not added");
        }
    }

    @Test
    void weightTypeWithoutKernelIsALoadError() throws Exception {
        // IQ2_XXS blocks of 256 values (66 bytes): a type the kernels do not implement.
        byte[] blocks = new byte[512 * 66];
        GgufTensor iq = new GgufTensor("output.weight", GgmlType.IQ2_XXS, new long[] {256, 512}, 0,
                java.lang.foreign.MemorySegment.ofArray(blocks));
        Path file = variant("iq", m -> {}, Map.of("output.weight", iq));
        // (Its shape is wrong too, since IQ2_XXS rows hold 256 values: the type is checked first.)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(file));
        assertEquals(file + ": tensor 'output.weight' has type IQ2_XXS, which Vireo cannot compute with yet", e.getMessage());
    }
}
