package dev.vireo.kernels;

import static dev.vireo.kernels.ScalarVectorOpsTest.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every Vector API small op against its scalar twin on odd sizes (shorter than one vector, not a
 * multiple of the lane count, long), several seeds, with data placed at odd offsets.
 *
 * <p>Tolerances. Float has a unit roundoff u = 2^-24. The SIMD ops compute the same formulas but
 * (a) reduce in float across lane accumulators where the scalar twin reduces sequentially (in
 * double for RMSNorm and softmax), (b) fuse multiply-adds and (c) take exp/tanh/sin/cos from the
 * Vector API, which is within a couple of ulps of {@link Math}. A float sum of n terms carries a
 * relative error of at most about n*u of the sum of magnitudes, so reductions get
 * {@code (n + 8) * u} relative to the sum of magnitudes involved; element-wise ops get a few ulps.
 * A wrong lane, a lost tail element or a wrong shuffle is off by O(1) and fails by orders of
 * magnitude.
 */
class SimdVectorOpsTest {

    private static final double U = 0x1p-24;
    private static final int[] SIZES = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1001, 4099};
    private static final long[] SEEDS = {1, 2, 3};

    private final VectorOps simd = VectorOpsFactory.simd();
    private final VectorOps scalar = VectorOpsFactory.scalar();

    @Test
    void factoryGivesTheVectorApiOps() {
        assertInstanceOf(SimdVectorOps.class, simd);
        assertInstanceOf(ScalarVectorOps.class, scalar);
    }

    @Test
    void rmsNorm() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                float[] x = floats(seed, n + 3, 4f);
                float[] w = floats(seed + 100, n, 2f);
                float[] a = new float[n + 5];
                float[] b = new float[n + 5];
                simd.rmsNorm(a, 5 - 3, x, 3, w, n, 1e-5f);
                scalar.rmsNorm(b, 5 - 3, x, 3, w, n, 1e-5f);
                // the scale carries the sum's relative error (halved by the root); each output adds 2 roundings
                assertClose(b, a, (n + 8) * U, 0, "rmsNorm n=" + n + " seed=" + seed);
            }
        }
    }

    @Test
    void rmsNormInPlace() {
        float[] x = floats(5, 1001, 3f);
        float[] y = x.clone();
        float[] w = floats(6, 1001, 1f);
        simd.rmsNorm(x, 0, x, 0, w, 1001, 1e-6f);
        scalar.rmsNorm(y, 0, y, 0, w, 1001, 1e-6f);
        assertClose(y, x, 1009 * U, 0, "in place");
    }

    @Test
    void ropeBothStylesOddShapesAndLargePositions() {
        int[] headDims = {2, 4, 6, 14, 16, 18, 34, 64, 80, 128, 130};
        int[] positions = {0, 1, 17, 4095, 131071};
        for (boolean neox : new boolean[] {false, true}) {
            for (int headDim : headDims) {
                // full rotation, and partial rotation (dims past nRot pass through)
                for (int nRot : new int[] {headDim - headDim % 2, Math.max(2, (headDim / 2) & ~1)}) {
                    float[] inv = Rope.inverseFrequencies(nRot, 500000f, null, 1f);
                    for (int pos : positions) {
                        int heads = 3;
                        float[] x = floats(pos + headDim, 1 + heads * headDim, 1f);
                        float[] y = x.clone();
                        simd.rope(x, 1, heads, headDim, pos, inv, neox);
                        scalar.rope(y, 1, heads, headDim, pos, inv, neox);
                        // each output is x0*cos -+ x1*sin with |x| <= 1: a few ulps of 1 from cos/sin and roundings
                        assertClose(y, x, 0, 8 * 2 * U,
                                "rope neox=" + neox + " headDim=" + headDim + " nRot=" + nRot + " pos=" + pos);
                    }
                }
            }
        }
    }

    @Test
    void ropeWithFrequencyFactorsAndLinearScaling() {
        float[] factors = floats(9, 32, 1f);
        for (int i = 0; i < factors.length; i++) {
            factors[i] = 1 + Math.abs(factors[i]) * 7; // Llama 3.1 divisors are in [1, 8]
        }
        float[] inv = Rope.inverseFrequencies(64, 500000f, factors, 0.25f);
        for (boolean neox : new boolean[] {false, true}) {
            float[] x = floats(10, 8 * 64, 1f);
            float[] y = x.clone();
            simd.rope(x, 0, 8, 64, 777, inv, neox);
            scalar.rope(y, 0, 8, 64, 777, inv, neox);
            assertClose(y, x, 0, 16 * U, "rope with factors neox=" + neox);
        }
        assertThrows(IllegalArgumentException.class, () -> simd.rope(new float[8], 0, 1, 8, 1, new float[5], true));
    }

    @Test
    void softmax() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                float[] x = floats(seed, n + 2, 20f);
                float[] y = x.clone();
                simd.softmax(x, 2, n);
                scalar.softmax(y, 2, n);
                // outputs are <= 1; the normaliser is a sum of n positive terms <= n (the max term is 1)
                assertClose(y, x, (n + 8) * U, Float.MIN_NORMAL, "softmax n=" + n + " seed=" + seed);
                assertEquals(y[0], x[0]);
                assertEquals(y[1], x[1]);
            }
        }
    }

    @Test
    void swigluAndGeglu() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                float[] gate = floats(seed, n + 1, 8f);
                float[] up = floats(seed + 7, n + 2, 3f);
                float[] a = gate.clone();
                float[] b = gate.clone();
                simd.swiglu(a, 1, up, 2, n);
                scalar.swiglu(b, 1, up, 2, n);
                assertClose(b, a, 8 * U, 0, "swiglu n=" + n);
                a = gate.clone();
                b = gate.clone();
                simd.geglu(a, 1, up, 2, n);
                scalar.geglu(b, 1, up, 2, n);
                // for very negative x, gelu = 0.5 x (1 + tanh) cancels: the error is an ulp of 1 times |x up|
                for (int i = 1; i <= n; i++) {
                    double bound = 8 * U * (Math.abs(b[i]) + Math.abs(gate[i] * up[i + 1]));
                    if (!(Math.abs(a[i] - b[i]) <= bound)) {
                        fail("geglu n=" + n + " at " + i + ": " + a[i] + " vs " + b[i] + " (bound " + bound + ")");
                    }
                }
                assertEquals(b[0], a[0]);
            }
        }
    }

    @Test
    void addIsExact() {
        for (int n : SIZES) {
            float[] y = floats(n, n + 3, 5f);
            float[] x = floats(n + 1, n + 1, 5f);
            float[] a = y.clone();
            float[] b = y.clone();
            simd.add(a, 3, x, 1, n);
            scalar.add(b, 3, x, 1, n);
            assertArrayEquals(b, a, "add n=" + n);
        }
    }

    @Test
    void argmaxIsTheSameIndex() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                float[] x = floats(seed, n + 1, 10f);
                assertEquals(scalar.argmax(x, 1, n), simd.argmax(x, 1, n), "argmax n=" + n);
                // ties: the maximum placed twice, the first must win
                float[] t = x.clone();
                int first = (int) (seed * 7919 % n);
                t[1 + first] = 100f;
                t[1 + n - 1] = 100f;
                assertEquals(first, simd.argmax(t, 1, n), "ties n=" + n);
                // NaN present: never chosen (the scalar rule)
                t[1 + (first + 1) % n] = Float.NaN;
                assertEquals(scalar.argmax(t, 1, n), simd.argmax(t, 1, n), "NaN n=" + n);
            }
        }
        assertEquals(0, simd.argmax(new float[] {Float.NaN, Float.NaN}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> simd.argmax(new float[2], 0, 0));
    }

    @Test
    void attentionGroupedHeadsOddShapes() {
        int[][] heads = {{1, 1}, {2, 2}, {4, 2}, {3, 1}, {8, 2}};
        int[] headDims = {1, 3, 7, 8, 17, 64, 100};
        int[] positions = {1, 2, 3, 17, 100};
        long seed = 0;
        for (int[] hk : heads) {
            for (int hd : headDims) {
                for (int nPos : positions) {
                    seed++;
                    int nHeads = hk[0];
                    int nKv = hk[1];
                    float[] q = floats(seed, 2 + nHeads * hd, 1f);
                    float[] keys = floats(seed + 1, nPos * nKv * hd, 1f);
                    float[] values = floats(seed + 2, nPos * nKv * hd, 1f);
                    float scale = (float) (1 / Math.sqrt(hd));
                    float[] a = new float[3 + nHeads * hd];
                    float[] b = new float[3 + nHeads * hd];
                    simd.attention(q, 2, keys, values, 0, nPos, nHeads, nKv, hd, scale, new float[nPos + 4], a, 3);
                    scalar.attention(q, 2, keys, values, 0, nPos, nHeads, nKv, hd, scale, new float[nPos], b, 3);
                    // |q.k| * scale <= sqrt(hd); the scores' rounding (about hd*u of that) becomes a relative
                    // error of the softmax weights, the softmax adds about nPos*u, and the output is a convex
                    // mix of values |v| <= 1, so the absolute error stays a small multiple of (hd + nPos)*u
                    double tol = (hd + nPos + 16) * U * 4;
                    assertClose(b, a, 0, tol, "attention heads=" + nHeads + "/" + nKv + " hd=" + hd + " nPos=" + nPos);
                }
            }
        }
    }

    @Test
    void attentionTiledOverLongContexts() {
        // long enough for the grouped, tiled online-softmax path, with full and partial last tiles,
        // and scratch sizes just below and at what the tiled path needs (below: the per-head path)
        int[][] heads = {{32, 8}, {4, 1}, {2, 2}, {6, 3}};
        int[] headDims = {17, 64, 128};
        int[] positions = {33, 39, 40, 64, 65, 257, 1000};
        long seed = 500;
        for (int[] hk : heads) {
            for (int hd : headDims) {
                for (int nPos : positions) {
                    seed++;
                    int nHeads = hk[0];
                    int nKv = hk[1];
                    float[] q = floats(seed, nHeads * hd, 2f);
                    float[] keys = floats(seed + 1, nPos * nKv * hd, 2f);
                    float[] values = floats(seed + 2, nPos * nKv * hd, 1f);
                    float scale = (float) (1 / Math.sqrt(hd));
                    float[] a = new float[nHeads * hd];
                    float[] b = new float[nHeads * hd];
                    simd.attention(q, 0, keys, values, 0, nPos, nHeads, nKv, hd, scale, new float[nPos], a, 0);
                    scalar.attention(q, 0, keys, values, 0, nPos, nHeads, nKv, hd, scale, new float[nPos], b, 0);
                    // same bound as above: the online softmax only reorders the same float roundings
                    double tol = (hd + nPos + 16) * U * 4;
                    assertClose(b, a, 0, tol, "tiled attention heads=" + nHeads + "/" + nKv + " hd=" + hd
                            + " nPos=" + nPos);
                }
            }
        }
    }

    @Test
    void attentionAtCacheOffsetsOddShapes() {
        // as the runtime calls it: one KV head per call, each head's positions in its own region of
        // one array (head h at h * limit * headDim), NaN in the unused tail of every region; short
        // contexts take the per-head path, long ones the tiled one, and the offsets are not aligned
        int[] headDims = {3, 17, 64};
        int[] limits = {5, 41, 300};
        int kvHeads = 3;
        int group = 4;
        long seed = 900;
        for (int hd : headDims) {
            for (int limit : limits) {
                seed++;
                int base = 7; // an unaligned start of the whole cache too
                float[] keys = floats(seed, base + kvHeads * limit * hd, 1.5f);
                float[] values = floats(seed + 1, base + kvHeads * limit * hd, 1f);
                float[] q = floats(seed + 2, kvHeads * group * hd, 1.5f);
                float scale = (float) (1 / Math.sqrt(hd));
                for (int nPos : new int[] {1, limit / 2 + 1, limit}) {
                    float[] k = keys.clone();
                    float[] v = values.clone();
                    for (int h = 0; h < kvHeads; h++) {
                        int from = base + h * limit * hd + nPos * hd;
                        Arrays.fill(k, from, base + (h + 1) * limit * hd, Float.NaN);
                        Arrays.fill(v, from, base + (h + 1) * limit * hd, Float.NaN);
                    }
                    float[] a = new float[kvHeads * group * hd];
                    float[] b = new float[kvHeads * group * hd];
                    for (int h = 0; h < kvHeads; h++) {
                        int off = h * group * hd;
                        int cacheOff = base + h * limit * hd;
                        simd.attention(q, off, k, v, cacheOff, nPos, group, 1, hd, scale, new float[limit + 8], a, off);
                        scalar.attention(q, off, k, v, cacheOff, nPos, group, 1, hd, scale, new float[limit], b, off);
                    }
                    double tol = (hd + nPos + 16) * U * 4;
                    assertClose(b, a, 0, tol, "attention at offsets hd=" + hd + " limit=" + limit + " nPos=" + nPos);
                    for (float x : a) {
                        assertTrue(Float.isFinite(x), "a NaN outside the used positions was read: hd=" + hd
                                + " limit=" + limit + " nPos=" + nPos);
                    }
                }
            }
        }
    }

    @Test
    void attentionShapeErrorsAreTheScalarOnes() {
        assertThrows(IllegalArgumentException.class, () -> simd.attention(new float[6], 0, new float[4],
                new float[4], 0, 1, 3, 2, 2, 1f, new float[1], new float[6], 0));
        assertThrows(IllegalArgumentException.class, () -> simd.attention(new float[2], 0, new float[4],
                new float[5], 1, 2, 1, 1, 2, 1f, new float[2], new float[2], 0));
    }

    /** |a - e| <= rel * |e| + abs for every element. */
    private static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double bound = rel * Math.abs(expected[i]) + abs;
            double diff = Math.abs((double) actual[i] - expected[i]);
            if (!(diff <= bound) && !(expected[i] == actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (diff " + diff
                        + " > " + bound + ")");
            }
        }
    }
}
