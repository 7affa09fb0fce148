package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** y = W x + sum_i s_i B_i (A_i x), fused into the pass over W, against a float reference. */
class FusedLoraTest {
    /** The default kernels (8-bit activations for quantized W). */
    static MatrixKernels simd;
    /** Float activations: W x is exact up to float rounding, so fused == merged tightly. */
    static MatrixKernels simdFloat;
    static MatrixKernels scalar;

    @BeforeAll
    static void open() {
        simd = KernelProvider.matrixKernels(2);
        simdFloat = new SimdMatrixKernels(2, false);
        scalar = KernelProvider.scalarMatrixKernels(2);
    }

    @AfterAll
    static void close() {
        simd.close();
        simdFloat.close();
        scalar.close();
    }

    static GgmlType[] types() {
        return RandomWeights.TYPES;
    }

    /** A random matrix of a LoRA factor type, from float values quantized with {@link Quantizer}. */
    static WeightMatrix factor(GgmlType type, int rows, int cols, long seed) {
        float[] v = RandomWeights.vector(rows * cols, seed);
        for (int i = 0; i < v.length; i++) {
            v[i] *= 0.1f;
        }
        MemorySegment s = Arena.ofAuto().allocate(rows * type.bytesFor(cols));
        for (int r = 0; r < rows; r++) {
            Quantizer.quantizeRow(type, v, r * cols, cols, s, r * type.bytesFor(cols));
        }
        return new WeightMatrix(type, rows, cols, s);
    }

    /** (W + sum s B A) x in double from the dequantized matrices; also sum of |terms| per row. */
    static double[][] reference(WeightMatrix w, List<LowRank> terms, float[] x, int xOff) {
        double[] y = new double[w.rows()];
        double[] mag = new double[w.rows()];
        for (int i = 0; i < w.rows(); i++) {
            float[] row = RandomWeights.row(w, i);
            for (int j = 0; j < w.cols(); j++) {
                y[i] += (double) row[j] * x[xOff + j];
                mag[i] += Math.abs((double) row[j] * x[xOff + j]);
            }
        }
        for (LowRank t : terms) {
            int r = t.rank();
            double[] ax = new double[r];
            for (int k = 0; k < r; k++) {
                float[] a = RandomWeights.row(t.a(), k);
                for (int j = 0; j < w.cols(); j++) {
                    ax[k] += (double) a[j] * x[xOff + j];
                }
            }
            for (int i = 0; i < w.rows(); i++) {
                float[] b = RandomWeights.row(t.b(), i);
                for (int k = 0; k < r; k++) {
                    y[i] += t.scale() * b[k] * ax[k];
                    mag[i] += Math.abs(t.scale() * b[k] * ax[k]);
                }
            }
        }
        return new double[][] {y, mag};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void fusedEqualsMergedReferenceForEveryWeightType(GgmlType type) {
        int cols = 2 * Math.max(32, type.blockSize());
        int rows = 35;
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 3);
        // two stacked adapters with different factor types and ranks
        List<LowRank> terms = List.of(
                new LowRank(factor(GgmlType.F32, 4, cols, 10), factor(GgmlType.F16, rows, 4, 11), 0.75f),
                new LowRank(factor(GgmlType.Q8_0, 32, cols, 12), factor(GgmlType.BF16, rows, 32, 13), -1.5f));
        int n = 3;
        LowRankSet set = new LowRankSet(terms, rows, cols, n);
        float[] x = RandomWeights.vector(n * cols, 4);
        for (MatrixKernels k : List.of(simdFloat, scalar)) {
            float[] y = new float[n * rows];
            k.matmul(w, x, 0, cols, y, 0, rows, n, set);
            float[] one = new float[rows];
            for (int t = 0; t < n; t++) {
                double[][] ref = reference(w, terms, x, t * cols);
                k.matvec(w, x, t * cols, one, 0, set);
                for (int i = 0; i < rows; i++) {
                    // float products and sums against a double reference: relative error of a
                    // float dot of a few hundred terms stays well below 1e-5 of sum|terms|
                    assertEquals(ref[0][i], y[t * rows + i], 1e-5 * ref[1][i],
                            k.description() + " " + type + " token " + t + " row " + i);
                    // equal up to the lane order of reduceLanes (interpreted vs compiled code):
                    // a few ulps of the terms' size, not of the result, which may cancel to ~0
                    assertEquals(y[t * rows + i], one[i], 8 * Math.ulp((float) ref[1][i]) + 1e-30f,
                            "matmul equals matvec, token " + t + " row " + i);
                }
            }
        }
    }

    /**
     * One thread takes all rows as one chunk, then its LoRA panels; two threads take chunks of 16
     * rows, each followed by its panels. Both must give the same result, also for a last, partial
     * panel (83 rows).
     */
    @Test
    void oneChunkEqualsChunksOfTwoThreads() {
        int cols = 64;
        int rows = 83;
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q4_0, rows, cols, 41);
        List<LowRank> terms = List.of(
                new LowRank(factor(GgmlType.F32, 16, cols, 42), factor(GgmlType.F32, rows, 16, 43), 0.5f),
                new LowRank(factor(GgmlType.F16, 3, cols, 44), factor(GgmlType.F16, rows, 3, 45), 2f));
        float[] x = RandomWeights.vector(2 * cols, 46);
        try (MatrixKernels one = new SimdMatrixKernels(1, false)) {
            for (int n = 1; n <= 2; n++) {
                float[] y1 = new float[n * rows];
                float[] y2 = new float[n * rows];
                one.matmul(w, x, 0, cols, y1, 0, rows, n, new LowRankSet(terms, rows, cols, n));
                simdFloat.matmul(w, x, 0, cols, y2, 0, rows, n, new LowRankSet(terms, rows, cols, n));
                for (int t = 0; t < n; t++) {
                    double[][] ref = reference(w, terms, x, t * cols);
                    for (int i = 0; i < rows; i++) {
                        assertEquals(ref[0][i], y1[t * rows + i], 1e-5 * ref[1][i], "1 thread, token " + t + " row " + i);
                        assertEquals(y1[t * rows + i], y2[t * rows + i], 8 * Math.ulp((float) ref[1][i]) + 1e-30f,
                                "1 vs 2 threads, token " + t + " row " + i);
                    }
                }
            }
        }
    }

    /**
     * One token on two threads: the calling thread computes t while the other starts on W's
     * rows, and chunks that end before t is ready add their B term after it is. Here A (rank 160
     * over 4096 columns, 2.6 MB) takes far longer than all of W's 96 rows, so the other thread
     * puts off every chunk it takes; the result must still equal one thread's and the reference.
     * Both kernel flavours, and a stacked F16 term, run the per-row path (RowTask) and the
     * row-range path (RowProduct).
     */
    @Test
    void bTermsPutOffUntilTIsReadyAreAdded() {
        int cols = 4096;
        int rows = 96;
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q4_0, rows, cols, 51);
        WeightMatrix wk = RandomWeights.matrix(GgmlType.Q4_K, rows, cols, 52);
        List<LowRank> terms = List.of(
                new LowRank(factor(GgmlType.F32, 160, cols, 53), factor(GgmlType.F32, rows, 160, 54), 0.25f),
                new LowRank(factor(GgmlType.F16, 3, cols, 55), factor(GgmlType.F16, rows, 3, 56), -1f));
        float[] x = RandomWeights.vector(cols, 57);
        try (MatrixKernels one = new SimdMatrixKernels(1, false)) {
            for (WeightMatrix m : List.of(w, wk)) {
                double[][] ref = reference(m, terms, x, 0);
                float[] y1 = new float[rows];
                one.matvec(m, x, 0, y1, 0, new LowRankSet(terms, rows, cols, 1));
                for (int repeat = 0; repeat < 5; repeat++) {
                    float[] y2 = new float[rows];
                    simdFloat.matvec(m, x, 0, y2, 0, new LowRankSet(terms, rows, cols, 1));
                    for (int i = 0; i < rows; i++) {
                        String where = m.type() + " repeat " + repeat + " row " + i;
                        assertEquals(ref[0][i], y2[i], 1e-5 * ref[1][i], where);
                        assertEquals(y1[i], y2[i], 8 * Math.ulp((float) ref[1][i]) + 1e-30f, where + " (1 vs 2 threads)");
                    }
                }
            }
        }
    }

    /**
     * With 8-bit activations W x carries the activation rounding, identical with and without the
     * adapter (same quantized x, same summation), so the difference of the two results is the
     * LoRA term alone and must equal s B (A x) computed in float from the float x.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void int8KernelsAddTheSameLoraTerm(GgmlType type) {
        int cols = 2 * Math.max(32, type.blockSize());
        int rows = 21;
        WeightMatrix w = RandomWeights.matrix(type, rows, cols, 5);
        List<LowRank> terms = List.of(
                new LowRank(factor(GgmlType.F16, 8, cols, 14), factor(GgmlType.F32, rows, 8, 15), 2f));
        LowRankSet set = new LowRankSet(terms, rows, cols, 1);
        float[] x = RandomWeights.vector(cols, 6);
        float[] plain = new float[rows];
        float[] with = new float[rows];
        simd.matvec(w, x, 0, plain, 0, null);
        simd.matvec(w, x, 0, with, 0, set);
        WeightMatrix zero = new WeightMatrix(GgmlType.F32, rows, cols, Arena.ofAuto().allocate(4L * rows * cols));
        double[][] ref = reference(zero, terms, x, 0);
        for (int i = 0; i < rows; i++) {
            // float rounding of y and of the LoRA sum: a few ulps of |y| plus 1e-5 of the term sizes
            double tol = 1e-5 * ref[1][i] + 4 * Math.ulp(Math.abs(with[i]) + Math.abs(plain[i]));
            assertEquals(ref[0][i], (double) with[i] - plain[i], tol, type + " row " + i);
        }
    }

    @Test
    void zeroScaleEqualsNoAdapter() {
        int cols = 256;
        int rows = 19;
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q4_K, rows, cols, 21);
        LowRankSet set = new LowRankSet(List.of(
                new LowRank(factor(GgmlType.F16, 8, cols, 22), factor(GgmlType.F32, rows, 8, 23), 0f)), rows, cols, 1);
        float[] x = RandomWeights.vector(cols, 24);
        double[] size = reference(w, List.of(), x, 0)[1];
        for (MatrixKernels k : List.of(scalar, simd)) {
            float[] plain = new float[rows];
            float[] zero = new float[rows];
            k.matvec(w, x, 0, plain, 0, null);
            k.matvec(w, x, 0, zero, 0, set);
            for (int i = 0; i < rows; i++) {
                // a zero-scale term is skipped entirely: bit-equal, except that the Vector API's
                // reduceLanes may associate lanes differently once the JIT compiles it
                float tol = k == scalar ? 0f : 8 * Math.ulp((float) size[i]);
                assertEquals(plain[i], zero[i], tol, k.description() + " row " + i);
            }
        }
    }

    @Test
    void loraChangesTheResult() {
        int cols = 64;
        int rows = 5;
        WeightMatrix w = RandomWeights.matrix(GgmlType.Q8_0, rows, cols, 31);
        LowRankSet set = new LowRankSet(List.of(
                new LowRank(factor(GgmlType.F32, 2, cols, 32), factor(GgmlType.F32, rows, 2, 33), 5f)), rows, cols, 1);
        float[] x = RandomWeights.vector(cols, 34);
        float[] plain = new float[rows];
        float[] with = new float[rows];
        simd.matvec(w, x, 0, plain, 0, null);
        simd.matvec(w, x, 0, with, 0, set);
        double diff = 0;
        for (int i = 0; i < rows; i++) {
            diff += Math.abs(plain[i] - with[i]);
        }
        assertTrue(diff > 1e-3, "the adapter must change the output");
    }

    @Test
    void rejectsMisfitSetsAndTooLargeBatches() {
        WeightMatrix w = RandomWeights.matrix(GgmlType.F32, 4, 8, 41);
        LowRankSet set = new LowRankSet(List.of(
                new LowRank(factor(GgmlType.F32, 2, 8, 42), factor(GgmlType.F32, 4, 2, 43), 1f)), 4, 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> simd.matmul(w, new float[16], 0, 8, new float[8], 0, 4, 2, set));
        assertTrue(e.getMessage().contains("batch of 2"), e.getMessage());
        WeightMatrix other = RandomWeights.matrix(GgmlType.F32, 5, 8, 44);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> simd.matvec(other, new float[8], 0, new float[5], 0, set));
        assertTrue(e2.getMessage().contains("LoRA"), e2.getMessage());
    }
}
