package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.LowRank;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama.cpp GGUF adapters: what loads, with which targets, ranks and scales, and what is refused. */
class GgufAdapterLoadTest {
    static final String[] SEVEN = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

    static Path model(String name) {
        return Shared.file("models/" + name);
    }

    static List<String> targets(int layers, String... kinds) {
        List<String> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (String k : kinds) {
                out.add("blk." + l + "." + k + ".weight");
            }
        }
        return out;
    }

    @Test
    void stories260kRank4LoadsAllSevenProjectionsOfFiveLayers() throws IOException {
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"));
                LoraAdapter lora = LoraAdapter.load(model("synthetic/stories260K-lora-r4.gguf"), base)) {
            assertEquals("stories260K-lora-r4", lora.name());
            assertEquals(4, lora.rank());
            assertEquals(8f, lora.alpha());
            assertFalse(lora.rsLora());
            assertEquals(targets(5, SEVEN), new ArrayList<>(lora.targets()));

            LowRank q = lora.term("blk.0.attn_q.weight", 1f);
            assertEquals(2f, q.scale()); // 1 * 8 / 4
            assertEquals(0.5f * 2f, lora.term("blk.3.ffn_down.weight", 0.5f).scale());
            assertEquals(4, q.a().rows());
            assertEquals(64, q.a().cols());
            assertEquals(64, q.b().rows());
            assertEquals(4, q.b().cols());
            LowRank down = lora.term("blk.4.ffn_down.weight", 1f);
            assertEquals(172, down.a().cols());
            assertEquals(64, down.b().rows());
            LowRank k = lora.term("blk.1.attn_k.weight", 1f);
            assertEquals(32, k.b().rows());
            assertNull(lora.term("token_embd.weight", 1f));
            assertNull(lora.term("output.weight", 1f));
            assertEquals("stories260K-lora-r4 (GGUF): rank 4, alpha 8, 35 tensors", lora.describe());
        }
    }

    @Test
    void matricesAreTheAdapterFilesBytesInPlace() throws IOException {
        Path file = model("synthetic/stories260K-lora-r4.gguf");
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"));
                GgufFile raw = GgufFile.open(file);
                LoraAdapter lora = LoraAdapter.load(file, base)) {
            for (String target : lora.targets()) {
                LowRank t = lora.term(target, 1f);
                GgufTensor a = raw.tensor(target + ".lora_a");
                GgufTensor b = raw.tensor(target + ".lora_b");
                assertEquals(GgmlType.F32, t.a().type());
                assertEquals(-1, t.a().data().mismatch(a.data()), target);
                assertEquals(-1, t.b().data().mismatch(b.data()), target);
                assertEquals(a.byteSize(), t.a().data().byteSize());
            }
        }
    }

    @Test
    void secondStoriesAdapterTouchesOnlyVAndDown() throws IOException {
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"));
                LoraAdapter lora = LoraAdapter.load(model("synthetic/stories260K-lora2-r2-v-down.gguf"), base)) {
            assertEquals(2, lora.rank());
            assertEquals(4f, lora.alpha());
            assertEquals(targets(5, "attn_v", "ffn_down"), new ArrayList<>(lora.targets()));
            assertEquals(2f, lora.term("blk.2.attn_v.weight", 1f).scale());
            assertNull(lora.term("blk.2.attn_q.weight", 1f));
        }
    }

    @Test
    void tinyLlamaRank8LoadsOnFloatAndQuantizedBases() throws IOException {
        for (String b : new String[] {"tiny-llama-F32.gguf", "tiny-llama-Q4_0.gguf", "tiny-llama-Q4_K.gguf"}) {
            try (GgufFile base = GgufFile.open(model("synthetic/" + b));
                    LoraAdapter lora = LoraAdapter.load(model("synthetic/tiny-llama-lora-r8.gguf"), base)) {
                assertEquals(8, lora.rank(), b);
                assertEquals(16f, lora.alpha(), b);
                assertEquals(targets(2, SEVEN), new ArrayList<>(lora.targets()), b);
                LowRank gate = lora.term("blk.1.ffn_gate.weight", 1f);
                assertEquals(2f, gate.scale());
                assertEquals(256, gate.a().cols());
                assertEquals(768, gate.b().rows());
            }
        }
    }

    @Test
    void adapterForAnotherModelNamesTheTensorAndBothShapes() throws IOException {
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.load(model("synthetic/tiny-llama-lora-r8.gguf"), base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("'blk.0.attn_q.weight.lora_a' has shape [256, 8]"), e.getMessage());
            assertTrue(e.getMessage().contains("'blk.0.attn_q.weight' has shape [64, 64]"), e.getMessage());
            assertTrue(e.getMessage().contains("tiny-llama-lora-r8.gguf"), e.getMessage());
        }
    }

    @Test
    void adapterOfAnotherArchitectureIsRefused() throws IOException {
        try (GgufFile base = GgufFile.open(model("synthetic/tiny-qwen2-F32.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> LoraAdapter.load(model("synthetic/tiny-llama-lora-r8.gguf"), base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("adapter architecture 'llama' does not match the base model's 'qwen2'"), e.getMessage());
        }
    }

    @Test
    void targetMissingFromTheBaseModelIsRefused(@TempDir Path tmp) throws IOException {
        // blk.7 does not exist in the 5-layer stories260K (same name length, so the header stays valid)
        Path bad = TestFiles.patchedCopy(model("synthetic/stories260K-lora-r4.gguf"), tmp.resolve("bad.gguf"),
                "blk.4.attn_q.weight", "blk.7.attn_q.weight");
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(bad, base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("LoRA target 'blk.7.attn_q.weight' does not exist in the base model stories260K.gguf"),
                    e.getMessage());
        }
    }

    @Test
    void tensorWithAnUnknownSuffixIsRefused(@TempDir Path tmp) throws IOException {
        Path bad = TestFiles.patchedCopy(model("synthetic/stories260K-lora-r4.gguf"), tmp.resolve("bad.gguf"),
                "blk.2.ffn_up.weight.lora_a", "blk.2.ffn_up.weight.lora_x");
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(bad, base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("unexpected tensor 'blk.2.ffn_up.weight.lora_x'"), e.getMessage());
        }
    }

    @Test
    void pairWithOneHalfMissingIsRefused(@TempDir Path tmp) throws IOException {
        // renaming the lora_b to a norm-like name makes llama.cpp's loader (and ours) skip it
        Path bad = TestFiles.patchedCopy(model("synthetic/stories260K-lora-r4.gguf"), tmp.resolve("bad.gguf"),
                "blk.1.attn_v.weight.lora_b", "blk.1.attn_v_n_norm.weight");
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(bad, base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("'blk.1.attn_v.weight.lora_b' is missing"), e.getMessage());
        }
    }

    @Test
    void baseModelPassedAsAdapterIsRefused() throws IOException {
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(model("stories260K.gguf"), base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("not a LoRA adapter (general.type is missing, expected 'adapter')"), e.getMessage());
        }
    }

    @Test
    void missingFileIsRefused(@TempDir Path tmp) throws IOException {
        try (GgufFile base = GgufFile.open(model("stories260K.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(tmp.resolve("nope.gguf"), base));
            assertOneLine(e);
            assertTrue(e.getMessage().contains("nope.gguf: LoRA adapter not found"), e.getMessage());
        }
    }

    static void assertOneLine(Exception e) {
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
