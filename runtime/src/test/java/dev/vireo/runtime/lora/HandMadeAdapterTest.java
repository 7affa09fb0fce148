package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.LowRank;
import dev.vireo.kernels.LowRankSet;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF adapters written by hand: exact values through the kernels, types, alpha rules, refusals. */
class HandMadeAdapterTest {
    static final float[] W = {1, 2, 3, 4, 5, 6};
    static final float[] A = {1, 0, 1};
    static final float[] B = {0.5f, -1};

    @Test
    void workedExampleThroughTheFusedKernel(@TempDir Path tmp) throws IOException {
        // LORA.md section 1: x = [1,1,1], Wx = [6,15], s = 0.5 * 2 / 1 = 1, y = [7, 13]
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16)) {
            Path lora = TinyFiles.adapter(tmp.resolve("lora-" + type + ".gguf"), "llama", 2f, TinyFiles.TARGET, A, B, type, null);
            try (GgufFile base = GgufFile.open(basePath);
                    LoraAdapter a = LoraAdapter.load(lora, base);
                    MatrixKernels k = KernelProvider.matrixKernels(1)) {
                LowRank term = a.term(TinyFiles.TARGET, 0.5f);
                assertEquals(type, term.a().type());
                assertEquals(1f, term.scale());
                WeightMatrix w = WeightMatrix.of(base.tensor(TinyFiles.TARGET));
                float[] y = new float[2];
                k.matvec(w, new float[] {1, 1, 1}, 0, y, 0, new LowRankSet(List.of(term), 2, 3, 1));
                assertEquals(7f, y[0], 1e-6, type.toString());
                assertEquals(13f, y[1], 1e-6, type.toString());
            }
        }
    }

    @Test
    void missingAlphaMeansTheUserScaleAlone(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        Path lora = TinyFiles.adapter(tmp.resolve("lora.gguf"), "llama", Float.NaN, TinyFiles.TARGET, A, B, GgmlType.F32, null);
        try (GgufFile base = GgufFile.open(basePath); LoraAdapter a = LoraAdapter.load(lora, base)) {
            assertEquals(0f, a.alpha());
            assertEquals(0.75f, a.term(TinyFiles.TARGET, 0.75f).scale());
        }
    }

    @Test
    void embeddingTargetIsRefused(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        Path lora = TinyFiles.adapter(tmp.resolve("lora.gguf"), "llama", 2f, TinyFiles.EMBEDDINGS, A, B);
        try (GgufFile base = GgufFile.open(basePath)) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(lora, base));
            assertOneLine(e, "LoRA on 'token_embd.weight' is not supported");
        }
    }

    @Test
    void quantizedTypeTheKernelsCannotTakeIsRefused(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        // a 32-wide Q4_0 A does not fit the 3-wide base either, but the type is checked first
        Path lora = tmp.resolve("lora.gguf");
        float[] a32 = new float[32];
        new dev.vireo.gguf.GgufWriter()
                .addMetadata("general.architecture", dev.vireo.gguf.GgufValue.ofString("llama"))
                .addMetadata("general.type", dev.vireo.gguf.GgufValue.ofString("adapter"))
                .addMetadata("adapter.type", dev.vireo.gguf.GgufValue.ofString("lora"))
                .addTensor(TinyFiles.TARGET + ".lora_a", GgmlType.Q4_0, new long[] {32, 1}, TinyFiles.encode(a32, GgmlType.Q4_0))
                .addTensor(TinyFiles.TARGET + ".lora_b", GgmlType.F32, new long[] {1, 2}, TinyFiles.bytes(B))
                .write(lora);
        try (GgufFile base = GgufFile.open(basePath)) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(lora, base));
            assertOneLine(e, "'blk.0.attn_q.weight.lora_a' has type Q4_0 (supported: F32, F16, BF16, Q8_0)");
        }
    }

    @Test
    void activatedLoraIsRefused(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        Path lora = TinyFiles.adapter(tmp.resolve("lora.gguf"), "llama", 2f, TinyFiles.TARGET, A, B, GgmlType.F32,
                "adapter.alora.invocation_tokens");
        try (GgufFile base = GgufFile.open(basePath)) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(lora, base));
            assertOneLine(e, "activated LoRA (adapter.alora.invocation_tokens) is not supported");
        }
    }

    @Test
    void rankDisagreementBetweenAAndBIsRefused(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), W);
        Path lora = tmp.resolve("lora.gguf");
        new dev.vireo.gguf.GgufWriter()
                .addMetadata("general.architecture", dev.vireo.gguf.GgufValue.ofString("llama"))
                .addMetadata("general.type", dev.vireo.gguf.GgufValue.ofString("adapter"))
                .addMetadata("adapter.type", dev.vireo.gguf.GgufValue.ofString("lora"))
                .addTensor(TinyFiles.TARGET + ".lora_a", GgmlType.F32, new long[] {3, 1}, TinyFiles.bytes(A))
                .addTensor(TinyFiles.TARGET + ".lora_b", GgmlType.F32, new long[] {2, 2}, TinyFiles.bytes(new float[4]))
                .write(lora);
        try (GgufFile base = GgufFile.open(basePath)) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(lora, base));
            assertOneLine(e, "'blk.0.attn_q.weight.lora_a' [3, 1] and 'blk.0.attn_q.weight.lora_b' [2, 2] disagree on the rank");
        }
    }

    static void assertOneLine(Exception e, String part) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
