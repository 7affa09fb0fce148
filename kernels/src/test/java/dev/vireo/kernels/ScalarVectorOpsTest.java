package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scalar small ops against values worked out independently here (closed forms, hand
 * computations in double), not against another implementation of the same loops.
 */
class ScalarVectorOpsTest {

    private final VectorOps ops = VectorOpsFactory.scalar();

    @Test
    void rmsNormOfKnownVector() {
        // x = (1, 2, 3, 4): mean of squares 30/4 = 7.5, eps 0.5 -> divide by sqrt(8) = 2.828427...
        float[] x = {9f, 1, 2, 3, 4};
        float[] w = {1f, 2f, 0.5f, -1f};
        float[] out = new float[6];
        ops.rmsNorm(out, 2, x, 1, w, 4, 0.5f);
        double r = Math.sqrt(8.0);
        assertArrayEquals(new float[] {0, 0, (float) (1 / r), (float) (4 / r), (float) (1.5 / r), (float) (-4 / r)},
                out, 1e-6f);
    }

    @Test
    void rmsNormInPlaceAndEpsDominatesZeros() {
        float[] x = {0, 0, 0};
        ops.rmsNorm(x, 0, x, 0, new float[] {1, 1, 1}, 3, 1e-5f);
        assertArrayEquals(new float[] {0, 0, 0}, x); // no NaN from 0/0: eps keeps the root positive
        float[] y = {3, -4};
        ops.rmsNorm(y, 0, y, 0, new float[] {1, 1}, 2, 0f);
        // mean of squares 12.5 -> rms 3.5355
        assertArrayEquals(new float[] {(float) (3 / Math.sqrt(12.5)), (float) (-4 / Math.sqrt(12.5))}, y, 1e-6f);
    }

    @Test
    void ropeNormalRotatesAdjacentPairsByPosTimesFrequency() {
        float[] inv = Rope.inverseFrequencies(4, 10000f, null, 1f); // {1, 0.01}
        assertEquals(1f, inv[0]);
        assertEquals(0.01f, inv[1], 1e-9f);
        int pos = 3;
        // two heads of 6 dims; dims 4 and 5 are past n_rot = 4 and must pass through
        float[] x = {1, 0, 0, 1, 7, 8, 2, 3, 5, -1, 9, 10};
        ops.rope(x, 0, 2, 6, pos, inv, false);
        double a0 = pos * 1.0;
        double a1 = pos * 0.01;
        float[] expected = {
            (float) Math.cos(a0), (float) Math.sin(a0), (float) -Math.sin(a1), (float) Math.cos(a1), 7, 8,
            (float) (2 * Math.cos(a0) - 3 * Math.sin(a0)), (float) (2 * Math.sin(a0) + 3 * Math.cos(a0)),
            (float) (5 * Math.cos(a1) + Math.sin(a1)), (float) (5 * Math.sin(a1) - Math.cos(a1)), 9, 10};
        assertArrayEquals(expected, x, 1e-6f);
    }

    @Test
    void ropeNeoxRotatesHalves() {
        float[] inv = {1f, 0.5f};
        float[] x = {0, 1, 2, 3, 1, 2, 3, 4, 42};
        // one head of 4 at offset 4: pairs (x[4], x[6]) with angle 2*1, (x[5], x[7]) with angle 2*0.5
        ops.rope(x, 4, 1, 4, 2, inv, true);
        double a0 = 2.0;
        double a1 = 1.0;
        float[] expected = {0, 1, 2, 3,
            (float) (1 * Math.cos(a0) - 3 * Math.sin(a0)), (float) (2 * Math.cos(a1) - 4 * Math.sin(a1)),
            (float) (1 * Math.sin(a0) + 3 * Math.cos(a0)), (float) (2 * Math.sin(a1) + 4 * Math.cos(a1)), 42};
        assertArrayEquals(expected, x, 1e-6f);
    }

    @Test
    void ropePreservesPairNormsAndPositionZeroIsIdentity() {
        float[] inv = Rope.inverseFrequencies(64, 500000f, null, 1f);
        float[] x = floats(7, 2 * 64, 1f);
        float[] original = x.clone();
        ops.rope(x, 0, 2, 64, 0, inv, false);
        assertArrayEquals(original, x);
        ops.rope(x, 0, 2, 64, 1234, inv, true);
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 32; i++) {
                int a = h * 64 + i;
                int b = a + 32;
                double before = Math.hypot(original[a], original[b]);
                assertEquals(before, Math.hypot(x[a], x[b]), 1e-5, "pair " + i + " of head " + h);
            }
        }
    }

    @Test
    void ropeRejectsMoreRotatedDimensionsThanTheHeadHas() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ops.rope(new float[8], 0, 1, 8, 1, new float[5], false));
        assertTrue(e.getMessage().contains("10"), e.getMessage());
    }

    @Test
    void softmaxMatchesClosedFormAndSumsToOne() {
        float[] x = {5, 1, 2, 3, 5};
        ops.softmax(x, 1, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new float[] {5, (float) (Math.exp(1) / z), (float) (Math.exp(2) / z),
            (float) (Math.exp(3) / z), 5}, x, 1e-7f);
        float[] big = floats(3, 1001, 30f);
        big[500] = 1e4f; // would overflow exp without subtracting the max
        ops.softmax(big, 0, big.length);
        double sum = 0;
        for (float v : big) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-6);
        assertEquals(1f, big[500], 1e-6f);
    }

    @Test
    void siluAndGeluAtKnownPoints() {
        float[] xs = {-3, -1, 0, 0.5f, 1, 2, 10};
        for (float x : xs) {
            double silu = x / (1 + Math.exp(-x));
            double gelu = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            float[] g = {x};
            ops.swiglu(g, 0, new float[] {2f}, 0, 1);
            assertEquals(2 * silu, g[0], 1e-6, "silu(" + x + ")");
            g[0] = x;
            ops.geglu(g, 0, new float[] {-1f}, 0, 1);
            assertEquals(-gelu, g[0], 1e-6, "gelu(" + x + ")");
        }
        // published values of the tanh-approximated GELU
        float[] g = {1f, -1f, 2f};
        ops.geglu(g, 0, new float[] {1, 1, 1}, 0, 3);
        assertArrayEquals(new float[] {0.841192f, -0.158808f, 1.954598f}, g, 1e-5f);
    }

    @Test
    void addAndArgmax() {
        float[] y = {1, 2, 3, 4};
        ops.add(y, 1, new float[] {10, 20, 30}, 0, 3);
        assertArrayEquals(new float[] {1, 12, 23, 34}, y);
        assertEquals(1, ops.argmax(new float[] {0, 9, 3, 9, 1}, 0, 5)); // first of the ties
        assertEquals(2, ops.argmax(new float[] {9, 0, -1, 5, -2}, 1, 4));
        assertEquals(1, ops.argmax(new float[] {Float.NaN, -5, Float.NaN, -7}, 0, 4)); // NaN never wins
        assertThrows(IllegalArgumentException.class, () -> ops.argmax(new float[3], 0, 0));
    }

    @Test
    void attentionWithOnePositionReturnsItsValues() {
        float[] q = {1, 2, 3, 4};
        float[] k = {0.3f, -0.2f};
        float[] v = {5, 6};
        float[] out = new float[4];
        ops.attention(q, 0, k, v, 0, 1, 2, 1, 2, 0.7f, new float[1], out, 0);
        assertArrayEquals(new float[] {5, 6, 5, 6}, out); // softmax of one score is exactly 1
    }

    @Test
    void attentionMatchesHandComputationWithGroupedHeads() {
        // 4 query heads, 2 KV heads, headDim 2, 3 positions: heads 0,1 use KV head 0, heads 2,3 KV head 1
        int nHeads = 4;
        int nKv = 2;
        int hd = 2;
        int nPos = 3;
        float[] q = floats(11, nHeads * hd, 1f);
        float[] keys = floats(12, nPos * nKv * hd, 1f);
        float[] values = floats(13, nPos * nKv * hd, 1f);
        float scale = (float) (1 / Math.sqrt(hd));
        float[] out = new float[1 + nHeads * hd];
        ops.attention(q, 0, keys, values, 0, nPos, nHeads, nKv, hd, scale, new float[nPos], out, 1);
        for (int h = 0; h < nHeads; h++) {
            int kvHead = h < 2 ? 0 : 1;
            double[] w = new double[nPos];
            double z = 0;
            for (int p = 0; p < nPos; p++) {
                double s = 0;
                for (int d = 0; d < hd; d++) {
                    s += q[h * hd + d] * keys[p * nKv * hd + kvHead * hd + d];
                }
                w[p] = Math.exp(s * scale);
                z += w[p];
            }
            for (int d = 0; d < hd; d++) {
                double o = 0;
                for (int p = 0; p < nPos; p++) {
                    o += w[p] / z * values[p * nKv * hd + kvHead * hd + d];
                }
                assertEquals(o, out[1 + h * hd + d], 1e-6, "head " + h + " dim " + d);
            }
        }
    }

    @Test
    void attentionRejectsHeadsThatDoNotGroup() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ops.attention(new float[6], 0, new float[4], new float[4], 0, 1, 3, 2, 2, 1f, new float[1],
                        new float[6], 0));
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
    }

    @Test
    void attentionAtACacheOffsetReadsOnlyItsRegion() {
        // the same cache placed at an offset inside a larger array, NaN all around it: equal results,
        // so nothing before the offset or after the last position is read
        int nHeads = 6;
        int nKv = 3;
        int hd = 5;
        int nPos = 7;
        int n = nPos * nKv * hd;
        float[] q = floats(21, nHeads * hd, 1f);
        float[] keys = floats(22, n, 1f);
        float[] values = floats(23, n, 1f);
        int off = 13;
        float[] bigKeys = new float[off + n + 11];
        float[] bigValues = new float[off + n + 11];
        Arrays.fill(bigKeys, Float.NaN);
        Arrays.fill(bigValues, Float.NaN);
        System.arraycopy(keys, 0, bigKeys, off, n);
        System.arraycopy(values, 0, bigValues, off, n);
        float[] expected = new float[nHeads * hd];
        float[] actual = new float[nHeads * hd];
        ops.attention(q, 0, keys, values, 0, nPos, nHeads, nKv, hd, 0.4f, new float[nPos], expected, 0);
        ops.attention(q, 0, bigKeys, bigValues, off, nPos, nHeads, nKv, hd, 0.4f, new float[nPos], actual, 0);
        assertArrayEquals(expected, actual);
    }

    @Test
    void attentionRejectsACacheThatEndsTooSoon() {
        // 2 positions x 1 KV head x 2 from offset 1 need 5 floats: 4 keys are too few, and so are 4 values
        var e = assertThrows(IllegalArgumentException.class,
                () -> ops.attention(new float[2], 0, new float[4], new float[5], 1, 2, 1, 1, 2, 1f, new float[2],
                        new float[2], 0));
        assertTrue(e.getMessage().contains("from offset 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ops.attention(new float[2], 0, new float[5], new float[4], 1, 2, 1, 1, 2, 1f, new float[2],
                        new float[2], 0));
        assertThrows(IllegalArgumentException.class,
                () -> ops.attention(new float[2], 0, new float[5], new float[5], -1, 2, 1, 1, 2, 1f, new float[2],
                        new float[2], 0));
    }

    /** {@code n} reproducible floats uniform in [-range, range) from {@code seed} (shared with the SIMD test). */
    static float[] floats(long seed, int n, float range) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return out;
    }
}
