package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging adapters into a new GGUF: W' = W + sum s B A, other tensors and metadata unchanged. */
class LoraMergeTest {

    @Test
    void workedExampleOfLoraMdSection1(@TempDir Path tmp) throws IOException {
        // W = [[1,2,3],[4,5,6]], A = [[1,0,1]], B = [[0.5],[-1]], alpha 2, user scale 0.5 -> s = 1
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), new float[] {1, 2, 3, 4, 5, 6});
        Path lora = TinyFiles.adapter(tmp.resolve("lora.gguf"), 2f, new float[] {1, 0, 1}, new float[] {0.5f, -1});
        Path out = tmp.resolve("merged.gguf");
        try (GgufFile base = GgufFile.open(basePath); LoraAdapter a = LoraAdapter.load(lora, base)) {
            assertEquals(1f, a.term(TinyFiles.TARGET, 0.5f).scale());
            List<String> seen = new ArrayList<>();
            LoraMerge.merge(base, List.of(new AdapterUse(a, 0.5f)), out, null, (done, total, name, merged) -> seen.add(
                    done + "/" + total + " " + name + (merged ? " merged" : "")));
            assertEquals(List.of("1/3 " + TinyFiles.TARGET + " merged", "2/3 " + TinyFiles.OTHER, "3/3 " + TinyFiles.EMBEDDINGS),
                    seen);
        }
        try (GgufFile merged = GgufFile.open(out)) {
            assertArrayEquals(new float[] {1.5f, 2, 3.5f, 3, 5, 5}, floats(merged.tensor(TinyFiles.TARGET)));
            assertArrayEquals(new float[] {7, 8}, floats(merged.tensor(TinyFiles.OTHER)));
            assertEquals("llama", merged.metadata().getString("general.architecture"));
        }
    }

    @Test
    void stories260kMergedF32IsWPlusScaledBATimesAAndCopiesTheRest(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("merged.gguf");
        Path loraPath = GgufAdapterLoadTest.model("synthetic/stories260K-lora-r4.gguf");
        Path lora2Path = GgufAdapterLoadTest.model("synthetic/stories260K-lora2-r2-v-down.gguf");
        try (GgufFile base = GgufFile.open(GgufAdapterLoadTest.model("stories260K.gguf"));
                LoraAdapter a = LoraAdapter.load(loraPath, base);
                LoraAdapter b = LoraAdapter.load(lora2Path, base);
                GgufFile rawA = GgufFile.open(loraPath);
                GgufFile rawB = GgufFile.open(lora2Path)) {
            LoraMerge.merge(base, List.of(new AdapterUse(a, 0.5f), new AdapterUse(b, 1f)), out, GgmlType.F32, null);
            try (GgufFile merged = GgufFile.open(out)) {
                assertEquals(base.metadata().asMap().keySet(), merged.metadata().asMap().keySet());
                assertEquals(base.tensors().size(), merged.tensors().size());
                for (GgufTensor t : base.tensors()) {
                    GgufTensor m = merged.tensor(t.name());
                    assertArrayEquals(t.shape(), m.shape(), t.name());
                    if (!a.targets().contains(t.name())) {
                        assertEquals(-1, t.data().mismatch(m.data()), t.name() + " is copied unchanged");
                        continue;
                    }
                    // independent reference in double: W + 0.5 * 8/4 * B1 A1 (+ 1 * 4/2 * B2 A2 on v and down)
                    double[] expected = toDouble(floats(t));
                    addProduct(expected, rawA, t.name(), 0.5 * 8 / 4, t);
                    if (b.targets().contains(t.name())) {
                        addProduct(expected, rawB, t.name(), 1.0 * 4 / 2, t);
                    }
                    float[] got = floats(m);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(expected[i], got[i], 1e-5 + 1e-5 * Math.abs(expected[i]), t.name() + "[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void quantizedBaseKeepsItsTypeByDefault(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("merged.gguf");
        Path loraPath = GgufAdapterLoadTest.model("synthetic/tiny-llama-lora-r8.gguf");
        try (GgufFile base = GgufFile.open(GgufAdapterLoadTest.model("synthetic/tiny-llama-Q8_0.gguf"));
                LoraAdapter a = LoraAdapter.load(loraPath, base);
                GgufFile raw = GgufFile.open(loraPath);
                MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            LoraMerge.merge(base, List.of(AdapterUse.of(a)), out, null, LoraMerge.ProgressListener.NONE);
            try (GgufFile merged = GgufFile.open(out)) {
                for (String name : List.of("blk.0.attn_q.weight", "blk.1.ffn_down.weight")) {
                    GgufTensor t = base.tensor(name);
                    GgufTensor m = merged.tensor(name);
                    assertEquals(GgmlType.Q8_0, m.type());
                    double[] expected = toDouble(dequantize(k, t));
                    addProduct(expected, raw, name, 16.0 / 8, t);
                    float[] got = dequantize(k, m);
                    // Q8_0 (ggml reference rounding): q = round(x / d) with d = max|x| / 127, then d is stored
                    // as F16, so a value moves by at most d/2 + 127 * d * 2^-11 < 0.57 d
                    int cols = (int) t.cols();
                    for (int blockStart = 0; blockStart < got.length; blockStart += 32) {
                        double amax = 0;
                        for (int j = 0; j < 32; j++) {
                            amax = Math.max(amax, Math.abs(expected[blockStart + j]));
                        }
                        for (int j = 0; j < 32; j++) {
                            int i = blockStart + j;
                            assertEquals(expected[i], got[i], amax / 127 * 0.57 + 1e-6, name + " row " + i / cols);
                        }
                    }
                    // and the merge really changed the weights
                    float[] before = dequantize(k, t);
                    double moved = 0;
                    for (int i = 0; i < got.length; i++) {
                        moved = Math.max(moved, Math.abs(got[i] - before[i]));
                    }
                    assertTrue(moved > 0.01, name + " changed by " + moved);
                }
                GgufTensor embd = merged.tensor("token_embd.weight");
                assertEquals(-1, embd.data().mismatch(base.tensor("token_embd.weight").data()));
            }
        }
    }

    /**
     * QLoRA on a K-quant base: --type same writes Q4_K again (the new K-quant quantizer), and the
     * result is the f32 merge up to Q4_K's own rounding, far smaller than what the merge changed.
     */
    @Test
    void kQuantBaseKeepsItsTypeAndMatchesTheF32Merge(@TempDir Path tmp) throws IOException {
        Path same = tmp.resolve("same.gguf");
        Path f32 = tmp.resolve("f32.gguf");
        Path loraPath = GgufAdapterLoadTest.model("synthetic/tiny-llama-lora-r8.gguf");
        try (GgufFile base = GgufFile.open(GgufAdapterLoadTest.model("synthetic/tiny-llama-Q4_K.gguf"));
                LoraAdapter a = LoraAdapter.load(loraPath, base);
                GgufFile raw = GgufFile.open(loraPath);
                MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            LoraMerge.merge(base, List.of(AdapterUse.of(a)), same, null, null);
            LoraMerge.merge(base, List.of(AdapterUse.of(a)), f32, GgmlType.F32, null);
            try (GgufFile q = GgufFile.open(same); GgufFile f = GgufFile.open(f32)) {
                assertTrue(a.targets().size() >= 7, "targets: " + a.targets());
                for (String name : a.targets()) {
                    GgufTensor t = base.tensor(name);
                    assertEquals(GgmlType.Q4_K, q.tensor(name).type(), name);
                    float[] before = dequantize(k, t);
                    double[] expected = toDouble(before);
                    addProduct(expected, raw, name, 16.0 / 8, t);
                    float[] exact = floats(f.tensor(name));
                    float[] got = dequantize(k, q.tensor(name));
                    double rms = 0;
                    double err = 0;
                    double moved = 0;
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(expected[i], exact[i], 1e-5 + 1e-5 * Math.abs(expected[i]), name + " f32 merge [" + i + "]");
                        rms += expected[i] * expected[i];
                        err += (got[i] - exact[i]) * (double) (got[i] - exact[i]);
                        moved += (exact[i] - before[i]) * (double) (exact[i] - before[i]);
                    }
                    // Q4_K round trips stay below 10 % relative RMS error (KQuantizerTest)
                    assertTrue(Math.sqrt(err / rms) < 0.10, name + ": relative RMS error " + Math.sqrt(err / rms));
                    assertTrue(err < 0.25 * moved, name + ": quantization error " + err + " vs the merge's change " + moved);
                }
                GgufTensor embd = q.tensor("token_embd.weight");
                assertEquals(-1, embd.data().mismatch(base.tensor("token_embd.weight").data()));
            }
        }
    }

    @Test
    void typeThatCannotHoldTheRowsIsRefused(@TempDir Path tmp) throws IOException {
        try (GgufFile base = GgufFile.open(GgufAdapterLoadTest.model("stories260K.gguf"));
                LoraAdapter a = LoraAdapter.load(GgufAdapterLoadTest.model("synthetic/stories260K-lora-r4.gguf"), base)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> LoraMerge.merge(base, List.of(AdapterUse.of(a)), tmp.resolve("m.gguf"), GgmlType.Q8_0, null));
            // attn_q rows (64) fit Q8_0 blocks; ffn_down rows (172) do not, and nothing is written before the check
            assertEquals("cannot write merged tensor 'blk.0.ffn_down.weight' as Q8_0: its rows of 172 values are not a"
                    + " multiple of the block size 32", e.getMessage());
            assertTrue(java.nio.file.Files.notExists(tmp.resolve("m.gguf")));
        }
    }

    @Test
    void mergeCannotOverwriteItsBase(@TempDir Path tmp) throws IOException {
        Path basePath = TinyFiles.base(tmp.resolve("base.gguf"), new float[] {1, 2, 3, 4, 5, 6});
        Path lora = TinyFiles.adapter(tmp.resolve("lora.gguf"), 2f, new float[] {1, 0, 1}, new float[] {0.5f, -1});
        try (GgufFile base = GgufFile.open(basePath); LoraAdapter a = LoraAdapter.load(lora, base)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> LoraMerge.merge(base, List.of(AdapterUse.of(a)), basePath, null, null));
            assertTrue(e.getMessage().contains("cannot overwrite its base model"), e.getMessage());
        }
    }

    /** {@code w += s * B A} with B, A read from the adapter file (F32) in double. */
    static void addProduct(double[] w, GgufFile adapter, String target, double s, GgufTensor base) {
        float[] a = floats(adapter.tensor(target + ".lora_a"));
        float[] b = floats(adapter.tensor(target + ".lora_b"));
        int cols = (int) base.cols();
        int rows = (int) base.rows();
        int r = a.length / cols;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double d = 0;
                for (int k = 0; k < r; k++) {
                    d += (double) b[i * r + k] * a[k * cols + j];
                }
                w[i * cols + j] += s * d;
            }
        }
    }

    static float[] floats(GgufTensor t) {
        assertEquals(GgmlType.F32, t.type(), t.name());
        return t.data().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    }

    static float[] dequantize(MatrixKernels k, GgufTensor t) {
        WeightMatrix m = WeightMatrix.of(t);
        float[] out = new float[m.rows() * m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            k.dequantizeRow(m, r, out, r * m.cols());
        }
        return out;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
