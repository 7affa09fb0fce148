package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.kernels.Quantizer;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path tmp;

    /** Parameter counts the model publishers give (Hugging Face model pages / config.json). */
    @Test
    void shapesHaveThePublishedParameterCounts() {
        assertEquals(1_235_814_400L, new SyntheticModel(ModelShape.LLAMA_3_2_1B, GgmlType.F32, 1).parameterCount());
        assertEquals(134_515_008L, new SyntheticModel(ModelShape.SMOLLM2_135M, GgmlType.F32, 1).parameterCount());
        assertEquals(494_032_768L, new SyntheticModel(ModelShape.QWEN2_5_0_5B, GgmlType.F32, 1).parameterCount());
    }

    @Test
    void q4_0RowsThatAreNotWholeBlocksFallBack() {
        // SmolLM2's 576-wide rows are 18 Q4_0 blocks: no fallback; at Q4_K (256) they would not fit.
        assertTrue(new SyntheticModel(ModelShape.SMOLLM2_135M, GgmlType.Q4_0, 1).fallbacks().isEmpty());
        assertTrue(new SyntheticModel(ModelShape.TINY, GgmlType.Q8_0, 1).fallbacks().isEmpty());
    }

    @Test
    void tinyIsDeterministicPerSeedAndLoads() throws Exception {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        Path c = tmp.resolve("c.gguf");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", "q8_0", "--seed", "7", "-o", a.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out(), "synth writes nothing to stdout");
        assertTrue(r.err().contains("writing [##############################] 100%"), r.err());
        assertEquals(0, CliRun.of("synth", "--shape", "tiny", "--type", "q8_0", "--seed", "7", "-o", b.toString()).exitCode());
        assertEquals(0, CliRun.of("synth", "--shape", "tiny", "--type", "q8_0", "--seed", "8", "-o", c.toString()).exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));

        try (GgufFile f = GgufFile.open(a)) {
            assertEquals("llama", f.metadata().getString("general.architecture"));
            assertEquals(256, f.metadata().getInt("llama.embedding_length"));
            assertEquals(2, f.metadata().getInt("llama.block_count"));
            assertEquals(512, f.metadata().getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(3 + 2 * 9, f.tensors().size());
            assertEquals(GgmlType.Q8_0, f.tensor("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.1.ffn_norm.weight").type());
            assertArrayEquals(new long[] {768, 256}, f.tensor("blk.1.ffn_down.weight").shape());
        }
        try (Model m = Model.load(a); Session s = m.newSession(new SessionOptions(1, 64))) {
            float[] logits = s.evaluate(new int[] {1, 300, 301, 302});
            assertEquals(512, logits.length);
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float x : logits) {
                assertTrue(Float.isFinite(x));
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertTrue(max > min, "random weights give distinct logits");
            assertEquals(4, s.position());
        }
    }

    @Test
    void everyQuantizerTypeOrAClearRefusal() {
        for (String type : List.of("f32", "f16", "q4_0", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "iq4_xs")) {
            Path out = tmp.resolve(type + ".gguf");
            CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", type, "-o", out.toString());
            if (Quantizer.supports(GgmlType.fromName(type))) {
                assertEquals(0, r.exitCode(), type + ": " + r.err());
                assertTrue(Files.exists(out));
            } else {
                assertEquals(Vireo.EXIT_USAGE, r.exitCode(), type + ": " + r.err());
                assertEquals(1, r.errLines().length, r.err());
                assertTrue(r.errLines()[0].startsWith("vireo: --type: cannot write " + type.toUpperCase()), r.err());
                assertFalse(Files.exists(out));
            }
        }
    }

    @Test
    void kQuantRowsThatAreNotWholeSuperBlocksFallBackAsLlamaCppDoes() {
        // SmolLM2's 576-wide rows are 2.25 super-blocks but 18 blocks of 32
        SyntheticModel q4k = new SyntheticModel(ModelShape.SMOLLM2_135M, GgmlType.Q4_K, 1);
        assertTrue(q4k.fallbacks().contains("token_embd.weight as Q5_0"), q4k.fallbacks().toString());
        assertTrue(q4k.fallbacks().contains("blk.0.attn_q.weight as Q5_0"), q4k.fallbacks().toString());
        // ffn_down's rows are 1536 wide: whole super-blocks, so it stays Q4_K
        assertFalse(q4k.fallbacks().stream().anyMatch(f -> f.contains("ffn_down")), q4k.fallbacks().toString());
        assertEquals(GgmlType.Q8_0, SyntheticModel.fallbackFor(GgmlType.Q6_K));
        assertEquals(GgmlType.Q5_1, SyntheticModel.fallbackFor(GgmlType.Q5_K));
        assertTrue(new SyntheticModel(ModelShape.LLAMA_3_2_1B, GgmlType.Q4_K, 1).fallbacks().isEmpty());
    }

    /** llama.cpp's "pure" Q4_K: every matrix, the token embedding too, in Q4_K; the model runs. */
    @Test
    void q4_kPutsEveryMatrixInQ4_KAndRunsWhateverTheThreadCount() throws Exception {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        assertEquals(0, CliRun.of("synth", "--shape", "tiny", "--type", "q4_k", "-t", "1", "-o", a.toString()).exitCode());
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", "q4_k", "-t", "2", "-o", b.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "the file does not depend on -t");
        try (GgufFile f = GgufFile.open(a)) {
            for (var t : f.tensors()) {
                assertEquals(t.shape().length == 2 ? GgmlType.Q4_K : GgmlType.F32, t.type(), t.name());
            }
            assertEquals(GgmlType.Q4_K, f.tensor("token_embd.weight").type());
        }
        try (Model m = Model.load(a); Session s = m.newSession(new SessionOptions(1, 64))) {
            float[] logits = s.evaluate(new int[] {1, 300, 301});
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float x : logits) {
                assertTrue(Float.isFinite(x));
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertTrue(max > min, "random weights give distinct logits");
        }
        CliRun bad = CliRun.of("synth", "--shape", "tiny", "--type", "q4_k", "-t", "-1", "-o", tmp.resolve("c.gguf").toString());
        assertEquals(Vireo.EXIT_USAGE, bad.exitCode());
        assertArrayEquals(new String[] {"vireo: -t: threads must be 1 or more (0 = all processors), not -1"}, bad.errLines());
    }

    @Test
    void badValues() {
        CliRun r = CliRun.of("synth", "--shape", "gpt-5", "-o", tmp.resolve("x.gguf").toString());
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: --shape: unknown shape 'gpt-5' (known: llama-3.2-1b, smollm2-135m, qwen2.5-0.5b, tiny)"},
                r.errLines());
        r = CliRun.of("synth", "--shape", "tiny", "--type", "q9_9", "-o", tmp.resolve("x.gguf").toString());
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: --type: unknown type 'q9_9'"}, r.errLines());
        r = CliRun.of("synth", "--shape", "tiny", "-o", tmp.resolve("no/such/dir/x.gguf").toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
    }

    @Test
    void vocabularyIsUniqueAndStartsWithControlAndByteTokens() {
        List<String> v = SyntheticVocabulary.pieces(49152);
        assertEquals(49152, v.size());
        assertEquals(49152, new java.util.HashSet<>(v).size());
        assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), v.subList(0, 4));
        assertEquals("<0xFF>", v.get(258));
        assertEquals("\u2581", v.get(259));
        assertEquals("\u2581e", v.get(260));
    }
}
