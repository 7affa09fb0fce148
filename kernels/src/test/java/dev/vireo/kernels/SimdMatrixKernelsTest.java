package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Vector API kernels against their scalar twins on random data of awkward sizes. */
class SimdMatrixKernelsTest {
    /** The default: 8-bit activations for quantized weights. */
    static MatrixKernels simd;
    /** Float activations for every type: the fused dequantize-and-dot kernels. */
    static MatrixKernels simdFloat;
    static MatrixKernels scalar;

    @BeforeAll
    static void open() {
        simd = new SimdMatrixKernels(2);
        simdFloat = new SimdMatrixKernels(2, false);
        scalar = new ScalarMatrixKernels(2);
    }

    @AfterAll
    static void close() {
        simd.close();
        simdFloat.close();
        scalar.close();
    }

    static List<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (GgmlType t : RandomWeights.TYPES) {
            for (int blocks : new int[] {1, 2, 7, 100}) {
                list.add(Arguments.of(t, blocks));
            }
            if (t.blockSize() == 1) {
                list.add(Arguments.of(t, 2053)); // a long odd row: vector body plus scalar tail
            }
        }
        return list;
    }

    /** The four-row F32 kernel sums each row as the one-row kernel does: the same bits. */
    @ParameterizedTest(name = "{0} columns")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 15, 16, 33, 2053})
    void fourRowF32KernelEqualsFourOneRowCalls(int cols) {
        WeightMatrix w = RandomWeights.matrix(GgmlType.F32, 6, cols, cols);
        float[] x = RandomWeights.vector(cols + 3, 7);
        for (int first = 0; first <= 2; first++) {
            float[] out = new float[6];
            long off = first * w.rowBytes();
            SimdMatrixKernels.dotF32x4(w.data(), off, w.rowBytes(), x, 3, cols, out, 1);
            for (int i = 0; i < 4; i++) {
                float one = SimdMatrixKernels.dotF32(w.data(), off + i * w.rowBytes(), x, 3, cols);
                assertEquals(one, out[1 + i], 0f, "row " + (first + i) + " of " + cols + " columns");
            }
            assertEquals(0f, out[0], 0f);
            assertEquals(0f, out[5], 0f);
        }
    }

    @ParameterizedTest(name = "{0} x {1} blocks")
    @MethodSource("cases")
    void matvecMatchesScalarTwin(GgmlType type, int blocks) {
        int cols = blocks * type.blockSize();
        for (long seed = 1; seed <= 3; seed++) {
            int rows = 17 + 2 * (int) seed; // odd, and more than one chunk of 16 rows
            WeightMatrix w = RandomWeights.matrix(type, rows, cols, seed);
            float[] x = RandomWeights.vector(cols + 3, seed * 31);
            float[] expected = new float[rows];
            float[] got = new float[rows + 1];
            scalar.matvec(w, x, 3, expected, 0, null);
            simdFloat.matvec(w, x, 3, got, 1, null);
            for (int i = 0; i < rows; i++) {
                float[] wr = RandomWeights.row(w, i);
                double mag = 0;
                for (int j = 0; j < cols; j++) {
                    mag += Math.abs((double) wr[j] * x[3 + j]);
                }
                // Both sides use the same exactly dequantized weights; they differ only in float
                // summation order (the scalar twin sums in double). A float sum of m terms is off
                // by at most ~m * 2^-24 * sum|w x|; the vector kernels sum in chains of at most
                // cols / lanes + blocks steps (< 4000 here), and random-sign rounding grows like the
                // square root of that, so 1e-5 * sum|w x| is about 10x the expected error, while a
                // single mis-decoded weight in the small cases moves the result far more.
                double tol = 1e-5 * mag + 1e-30;
                assertEquals(expected[i], got[i + 1], tol,
                        type + " " + rows + "x" + cols + " seed " + seed + " row " + i);
            }
        }
    }

    static List<Arguments> int8Cases() {
        List<Arguments> list = new ArrayList<>();
        for (GgmlType t : RandomWeights.TYPES) {
            if (SimdMatrixKernels.usesInt8(t)) {
                for (int blocks : new int[] {1, 2, 7, 100}) {
                    list.add(Arguments.of(t, blocks));
                }
            }
        }
        return list;
    }

    /**
     * The 8-bit-activation kernels against their scalar twin: the dequantized weights times the
     * dequantized activations {@code d_x * q_x}, summed in double. Integer products are exact;
     * what remains is float rounding of the per-block scale {@code d_w * d_x} (2^-24 relative) and
     * of the float accumulation, so the same 1e-5 * sum|w x| bound as above applies. A second check
     * bounds the distance to the float-activation result by the activation rounding itself: q_x
     * is x / d rounded (|x - d q_x| <= d / 2) and the kept scale d_x is d rounded to binary16
     * (|d - d_x| <= 2^-11 d_x), so |x - d_x q_x| <= d_x / 2 (1 + 2^-10) + |q_x| d_x 2^-10.
     */
    @ParameterizedTest(name = "{0} x {1} blocks")
    @MethodSource("int8Cases")
    void int8KernelsMatchTheirScalarTwin(GgmlType type, int blocks) {
        assertTrue(simd.description().contains("int8"), simd.description());
        int cols = blocks * type.blockSize();
        for (long seed = 1; seed <= 3; seed++) {
            int rows = 17 + 2 * (int) seed; // odd, more than one chunk of 16 rows
            WeightMatrix w = RandomWeights.matrix(type, rows, cols, seed);
            float[] x = RandomWeights.vector(cols + 3, seed * 31);
            Int8Activations a = new Int8Activations();
            a.quantize(x, 3, 0, 1, cols);
            float[] got = new float[rows];
            simd.matvec(w, x, 3, got, 0, null);
            for (int i = 0; i < rows; i++) {
                float[] wr = RandomWeights.row(w, i);
                double twin = 0;
                double mag = 0;
                double exact = 0;
                double bound = 0;
                for (int j = 0; j < cols; j++) {
                    // K-quants pair with the float scale (ggml's Q8_K), the others with the binary16 one
                    float dx = type.blockSize() == 256 ? a.dk[j / 32] : a.d[j / 32];
                    double xj = (double) dx * a.q[j];
                    twin += wr[j] * xj;
                    mag += Math.abs(wr[j] * xj);
                    exact += (double) wr[j] * x[3 + j];
                    bound += Math.abs(wr[j]) * dx * ((1 + 0x1p-10) / 2 + Math.abs(a.q[j]) * 0x1p-10);
                }
                if (type == GgmlType.Q4_1 || type == GgmlType.Q5_1) {
                    // their min term m * sum(x) takes ggml's Q8_1 s field, sum(x) rounded to binary16
                    for (int b = 0; b < cols / 32; b++) {
                        float m = Blocks.f16(w.data(), i * w.rowBytes() + (long) b * type.bytesPerBlock() + 2);
                        int isum = 0;
                        for (int j = 0; j < 32; j++) {
                            isum += a.q[32 * b + j];
                        }
                        twin += m * ((double) a.sum1[b] - (double) a.d[b] * isum);
                    }
                }
                String where = type + " " + rows + "x" + cols + " seed " + seed + " row " + i;
                assertEquals(twin, got[i], 1e-5 * mag + 1e-30, where);
                assertEquals(exact, got[i], bound * 1.001 + 1e-5 * mag + 1e-30, where + " vs float activations");
            }
        }
    }

    /**
     * llama.cpp's own Q4_0 x Q8_0 example (quant_examples.json, dot_q4_0): its weight bytes and
     * its Q8_0 activation bytes (f16 scale + 32 int8 per block) into the Q4_0 kernel, which
     * must give ggml's integer-path result. The two differ only in float rounding of a few
     * block terms (|terms| sum to sum_abs_products), so 1e-6 of that is ample, while the float
     * result with unquantized activations is off by 0.018.
     */
    @Test
    void q4_0KernelMatchesGgmlIntegerDot() {
        var ex = QuantExamples.load().get("dot_q4_0");
        byte[] w = QuantExamples.hex(ex.get("w_bytes").asText());
        byte[] act = QuantExamples.hex(ex.get("act_q8_0_bytes").asText());
        int cols = 64;
        Int8Activations a = new Int8Activations();
        a.reserve(1, cols);
        for (int b = 0; b < cols / 32; b++) {
            int bits = (act[34 * b] & 0xFF) | (act[34 * b + 1] & 0xFF) << 8;
            a.d[b] = Float.float16ToFloat((short) bits);
            for (int j = 0; j < 32; j++) {
                a.q[32 * b + j] = act[34 * b + 2 + j];
            }
        }
        float got = Int8DotKernels.q4_0(QuantExamples.segment(w), 0, a, 0, cols);
        assertEquals(ex.get("ggml_int_dot").asDouble(), got, 1e-6 * ex.get("sum_abs_products").asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void matmulEqualsMatvecPerColumn(GgmlType type) {
        int cols = 3 * Math.max(32, type.blockSize());
        int rows = 41;
        int n = 5;
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 7);
        float[] x = RandomWeights.vector(n * (cols + 2), 8);
        float[] y = new float[n * (rows + 1)];
        simd.matmul(w, x, 1, cols + 2, y, 0, rows + 1, n, null);
        float[] one = new float[rows];
        float[] row = new float[cols];
        for (int t = 0; t < n; t++) {
            simd.matvec(w, x, 1 + t * (cols + 2), one, 0, null);
            for (int i = 0; i < rows; i++) {
                // Same kernel, same order of operations: equal up to reduceLanes, whose lane
                // association may differ between interpreted and JIT-compiled Vector API code
                // (the spec allows it). That rounds at the size of the partial sums, so the
                // bound is a few ulps of sum |w x|, not of the result (which may cancel to ~0).
                scalar.dequantizeRow(w, i, row, 0);
                float size = 0;
                for (int j = 0; j < cols; j++) {
                    size += Math.abs(row[j] * x[1 + t * (cols + 2) + j]);
                }
                assertEquals(one[i], y[t * (rows + 1) + i], 8 * Math.ulp(size) + 1e-30f,
                        type + " token " + t + " row " + i);
            }
        }
    }

    static GgmlType[] types() {
        return RandomWeights.TYPES;
    }

    /**
     * Decode takes the row-range kernels ({@link Int8RowKernels}, {@link FloatRowKernels}) where a
     * type has one, the per-row calls elsewhere: over 2 threads' chunks and a last partial one,
     * every type writes exactly its rows of y, at its offset, with the scalar twin's values.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void decodeWritesOnlyItsRows(GgmlType type) {
        int cols = 2 * Math.max(32, type.blockSize());
        int rows = 37;
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 9);
        float[] x = RandomWeights.vector(cols, 10);
        float[] y = new float[rows + 5];
        java.util.Arrays.fill(y, Float.NaN);
        simd.matvec(w, x, 0, y, 2, null);
        float[] want = new float[rows];
        scalar.matvec(w, x, 0, want, 0, null);
        for (int i = 0; i < y.length; i++) {
            if (i < 2 || i >= rows + 2) {
                assertTrue(Float.isNaN(y[i]), type + ": y[" + i + "] outside the rows was written");
            } else {
                float[] row = RandomWeights.row(w, i - 2);
                double size = 0;
                for (int j = 0; j < cols; j++) {
                    size += Math.abs(row[j] * x[j]);
                }
                // 8-bit activations against the scalar float twin: within a few % of sum |w x|
                assertEquals(want[i - 2], y[i], 0.02 * size + 1e-30, type + " row " + (i - 2));
            }
        }
    }

    @Test
    void dequantizeRowEqualsScalar() {
        for (GgmlType type : RandomWeights.TYPES) {
            WeightMatrix w = RandomWeights.matrix(type, 3, 2 * Math.max(32, type.blockSize()), 5);
            float[] a = new float[w.cols()];
            float[] b = new float[w.cols()];
            simd.dequantizeRow(w, 2, a, 0);
            scalar.dequantizeRow(w, 2, b, 0);
            for (int j = 0; j < a.length; j++) {
                assertTrue(a[j] == b[j], type + " value " + j);
            }
        }
    }

    @Test
    void rejectsBadShapesWithClearErrors() {
        var seg = Arena.ofAuto().allocate(4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightMatrix(GgmlType.Q4_0, 2, 40, seg));
        assertTrue(e.getMessage().contains("40") && e.getMessage().contains("Q4_0")
                && e.getMessage().contains("32"), e.getMessage());
        WeightMatrix w = new WeightMatrix(GgmlType.Q4_0, 2, 64, seg);
        IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                () -> simd.matvec(w, new float[63], 0, new float[2], 0, null));
        assertTrue(ex.getMessage().contains("activation"), ex.getMessage());
        WeightMatrix iq = new WeightMatrix(GgmlType.IQ2_XXS, 1, 256, seg);
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
                () -> simd.matvec(iq, new float[256], 0, new float[1], 0, null));
        assertTrue(u.getMessage().contains("IQ2_XXS"), u.getMessage());
    }

    @Test
    void providerPicksTheVectorApi() {
        try (MatrixKernels k = KernelProvider.matrixKernels(1)) {
            assertTrue(k.description().startsWith("Vector API"), k.description());
        }
    }
}
