package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiled prefill matmul against the plain reference matvec applied column by column (each
 * row dequantized by {@link Blocks} and summed in double), for every weight type, with and
 * without stacked LoRA terms; and its Vector API parts against their scalar twins, bit for bit.
 *
 * <p>Tolerance: the tiled path sums {@code cols} float products (plus {@code totalRank} LoRA
 * products) in float, one FMA per k, and the reference in double, so the difference is bounded
 * by the classic recursive-summation bound {@code cols * 2^-24 * sum |w_k x_k|} (A x is rounded
 * to float once more before B multiplies it: one more term of the same kind). The test allows
 * that bound (never a relative error on the result, which can be near 0 by cancellation);
 * typical errors are 100x smaller, a wrong tile or panel index is off by O(sum |w x|).
 */
class TiledMatmulTest {
    static final int[] TOKENS = {1, 2, 3, 5, 15, 16, 17, 31, 33, 64, 70};
    static final int[] BLOCKS = {1, 2, 7, 20};
    static final int[] ROWS = {1, 7, 13, 25};

    static MatrixKernels inner;
    static TiledMatrixKernels tiled;
    static TiledMatrixKernels tiledScalar;

    @BeforeAll
    static void open() {
        inner = new SimdMatrixKernels(2);
        tiled = new TiledMatrixKernels(inner, 1);
        tiledScalar = new TiledMatrixKernels(new SimdMatrixKernels(1), 1, true);
    }

    @AfterAll
    static void close() {
        tiled.close();
        tiledScalar.close();
    }

    static GgmlType[] types() {
        return RandomWeights.TYPES;
    }

    @ParameterizedTest
    @MethodSource("types")
    void matmulEqualsReferenceMatvecPerColumn(GgmlType type) {
        long seed = type.ordinal() * 1000L;
        int bs = type.blockSize();
        int shape = 0;
        for (int blocks : BLOCKS) {
            for (int rows : ROWS) {
                int cols = blocks * bs;
                WeightMatrix w = RandomWeights.matrix(type, rows, cols, seed + shape);
                // tokens vary with the shape so that every n is met by every type across shapes
                int n = TOKENS[(shape + type.ordinal()) % TOKENS.length];
                check(w, null, n, seed + shape);
                shape++;
            }
        }
        // the widest batches on a shape with several column blocks and a partial row tile
        WeightMatrix w = RandomWeights.matrix(type, 19, 20 * bs, seed + 99);
        check(w, null, 64, seed + 7);
        check(w, null, 70, seed + 8);
    }

    @Test
    void everyBatchSizeFrom1To70() {
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q4_0, 13, 9 * 32, 5);
        for (int n = 1; n <= 70; n++) {
            check(w, null, n, n);
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void stackedLoraTermsAreAdded(GgmlType type) {
        int bs = type.blockSize();
        int rows = 25;
        int cols = (bs == 1 ? 300 : 2 * bs);
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 11);
        List<LowRank> terms = List.of(
                new LowRank(FusedLoraTest.factor(GgmlType.F32, 3, cols, 1), FusedLoraTest.factor(GgmlType.F16, rows, 3, 2), 0.5f),
                new LowRank(FusedLoraTest.factor(GgmlType.F16, 16, cols, 3), FusedLoraTest.factor(GgmlType.F32, rows, 16, 4), -1.5f),
                new LowRank(FusedLoraTest.factor(GgmlType.F32, 2, cols, 5), FusedLoraTest.factor(GgmlType.F32, rows, 2, 6), 0f));
        // rank 16 is two tiles of A; 70 tokens are 5 panels, more than the 4 panel chunks of
        // the A X pass on 2 threads, so chunks of one and of two panels are both taken
        for (int n : new int[] {1, 17, 40, 70}) {
            check(w, terms, n, 21 + n);
        }
    }

    /** A single F32 term takes the bulk-copy path for B's tile rows; ranks 16 and 5 (odd). */
    @ParameterizedTest
    @MethodSource("types")
    void oneF32TermIsAdded(GgmlType type) {
        int bs = type.blockSize();
        int rows = 31;
        int cols = bs == 1 ? 300 : 2 * bs;
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 13);
        for (int r : new int[] {16, 5}) {
            List<LowRank> terms = List.of(new LowRank(FusedLoraTest.factor(GgmlType.F32, r, cols, 7 + r),
                    FusedLoraTest.factor(GgmlType.F32, rows, r, 8 + r), 0.75f));
            for (int n : new int[] {17, 40}) {
                check(w, terms, n, 31 + n + r);
            }
        }
    }

    @Test
    void vectorDequantizationIsBitExact() {
        for (GgmlType type : RandomWeights.TYPES) {
            int bs = type.blockSize();
            int cols = bs == 1 ? 515 : 11 * bs;
            WeightMatrix w = RandomWeights.matrix(type, 3, cols, 77);
            for (int row = 0; row < 3; row++) {
                for (int[] range : new int[][] {{0, cols}, {bs, cols - bs}, {cols - bs, bs}}) {
                    float[] fast = new float[range[1] + 3];
                    float[] slow = new float[range[1] + 3];
                    TileDequantizer.row(w, row, range[0], range[1], fast, 3);
                    TileDequantizer.rowScalar(w, row, range[0], range[1], slow, 3);
                    for (int j = 0; j < slow.length; j++) {
                        assertEquals(Float.floatToRawIntBits(slow[j]), Float.floatToRawIntBits(fast[j]),
                                type + " row " + row + " cols from " + range[0] + " value " + j);
                    }
                }
            }
        }
    }

    @Test
    void panelKernelEqualsItsScalarTwinBitForBit() {
        Random r = new Random(3);
        for (int kc : new int[] {1, 2, 7, 33, 255}) {
            int aStride = kc + 3;
            float[] a = RandomWeights.vector(PanelKernel.ROWS * aStride + 5, kc);
            float[] xt = RandomWeights.vector(kc * PanelKernel.TOKENS + 9, kc + 1);
            int cStride = PanelKernel.TOKENS * 2 + 1;
            float[] c1 = RandomWeights.vector(PanelKernel.ROWS * cStride + 4, kc + 2);
            float[] c2 = c1.clone();
            int aOff = r.nextInt(5);
            int xOff = r.nextInt(9);
            PanelKernel.multiply(a, aOff, aStride, xt, xOff, c1, 4, cStride, kc);
            PanelKernel.multiplyScalar(a, aOff, aStride, xt, xOff, c2, 4, cStride, kc);
            for (int i = 0; i < c1.length; i++) {
                assertEquals(Float.floatToRawIntBits(c2[i]), Float.floatToRawIntBits(c1[i]), "kc " + kc + " index " + i);
            }
        }
    }

    @Test
    void smallBatchesGoToTheWrappedKernels() {
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q8_0, 9, 64, 4);
        float[] x = RandomWeights.vector(3 * 64, 4);
        float[] viaRows = new float[3 * 9];
        float[] viaWrapper = new float[3 * 9];
        inner.matmul(w, x, 0, 64, viaRows, 0, 9, 3, null);
        try (TiledMatrixKernels k = new TiledMatrixKernels(new SimdMatrixKernels(1), 4)) {
            k.matmul(w, x, 0, 64, viaWrapper, 0, 9, 3, null);
        }
        for (int i = 0; i < viaRows.length; i++) {
            assertEquals(viaRows[i], viaWrapper[i], "index " + i);
        }
    }

    @Test
    void badArgumentsAreRejected() {
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q4_0, 4, 64, 1);
        float[] y = new float[4 * 20];
        assertThrows(IndexOutOfBoundsException.class, () -> tiled.matmul(w, new float[64 * 19], 0, 64, y, 0, 4, 20, null));
        LowRankSet small = new LowRankSet(List.of(new LowRank(FusedLoraTest.factor(GgmlType.F32, 2, 64, 1),
                FusedLoraTest.factor(GgmlType.F32, 4, 2, 2), 1f)), 4, 64, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiled.matmul(w, new float[64 * 20], 0, 64, y, 0, 4, 20, small));
        assertTrue(e.getMessage().contains("batch of 20"), e.getMessage());
    }

    /**
     * Runs the tiled product (vector and scalar twins) on n random tokens laid out with gaps
     * (strides larger than a vector, offsets) and compares each output with the reference.
     */
    private static void check(WeightMatrix w, List<LowRank> terms, int n, long seed) {
        int rows = w.rows();
        int cols = w.cols();
        int xStride = cols + 3;
        int yStride = rows + 2;
        float[] x = RandomWeights.vector(5 + n * xStride, seed);
        float[] y = new float[7 + n * yStride];
        float[] ys = new float[y.length];
        LowRankSet set = terms == null ? null : new LowRankSet(terms, rows, cols, n);
        tiled.matmul(w, x, 5, xStride, y, 7, yStride, n, set);
        LowRankSet set2 = terms == null ? null : new LowRankSet(terms, rows, cols, n);
        tiledScalar.matmul(w, x, 5, xStride, ys, 7, yStride, n, set2);
        float[][] dq = new float[rows][];
        for (int i = 0; i < rows; i++) {
            dq[i] = RandomWeights.row(w, i);
        }
        for (int t = 0; t < n; t++) {
            int xo = 5 + t * xStride;
            double[][] ref = reference(dq, terms, x, xo);
            for (int i = 0; i < rows; i++) {
                int at = 7 + t * yStride + i;
                String where = w.type() + " " + rows + "x" + cols + " n=" + n + " token " + t + " row " + i;
                double tol = (cols + 16) * 0x1p-24 * ref[1][i] + 1e-30;
                assertEquals(ref[0][i], y[at], tol, where);
                // the scalar twins do the same float operations in the same order
                assertEquals(Float.floatToRawIntBits(ys[at]), Float.floatToRawIntBits(y[at]), where + " (scalar twin)");
            }
        }
        // nothing outside the outputs was written
        for (int t = 0; t <= n; t++) {
            int from = t == 0 ? 0 : 7 + (t - 1) * yStride + rows;
            int to = t == n ? y.length : 7 + t * yStride;
            for (int j = from; j < to; j++) {
                assertEquals(0f, y[j], "gap index " + j);
            }
        }
    }

    /** y and sum of |products| per row, in double from the dequantized rows and factors. */
    private static double[][] reference(float[][] dq, List<LowRank> terms, float[] x, int xo) {
        int rows = dq.length;
        double[] y = new double[rows];
        double[] mag = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < dq[i].length; k++) {
                double p = (double) dq[i][k] * x[xo + k];
                y[i] += p;
                mag[i] += Math.abs(p);
            }
        }
        if (terms != null) {
            for (LowRank term : terms) {
                WeightMatrix a = term.a();
                WeightMatrix b = term.b();
                double[] t = new double[a.rows()];
                double[] tm = new double[a.rows()];
                for (int j = 0; j < a.rows(); j++) {
                    float[] ar = RandomWeights.row(a, j);
                    for (int k = 0; k < ar.length; k++) {
                        t[j] += (double) ar[k] * x[xo + k];
                        tm[j] += Math.abs((double) ar[k] * x[xo + k]);
                    }
                }
                for (int i = 0; i < rows; i++) {
                    float[] br = RandomWeights.row(b, i);
                    for (int j = 0; j < br.length; j++) {
                        y[i] += term.scale() * br[j] * t[j];
                        mag[i] += Math.abs(term.scale() * br[j]) * tm[j];
                    }
                }
            }
        }
        return new double[][] {y, mag};
    }
}
