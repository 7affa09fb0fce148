package dev.vireo.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API small ops: the same math as {@link ScalarVectorOps}, over {@link FloatVector#SPECIES_PREFERRED}
 * lanes with the tails done by the scalar formulas.
 *
 * <p>Differences to the scalar twin, all within float rounding: reductions (sum of squares, sum of
 * exponentials, dot products) run in float over several lane-wise accumulators, so they add the
 * terms in another order (and in float where the scalar twin uses double); the multiply-adds are
 * fused (one rounding instead of two); exp/tanh/sin/cos come from the Vector API's lane-wise
 * operations, which are within a few ulps of {@link Math}'s. Shape checks and error messages are
 * the scalar twin's. Attention over more positions than one tile uses an online softmax (see
 * {@link #attendGroupTiled}), which normalizes at the end instead of first. Nothing here
 * allocates: the shuffles below are built once.
 */
final class SimdVectorOps implements VectorOps {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Lane j takes lane j/2: spreads the first L/2 cos/sin values over adjacent pairs. */
    private static final VectorShuffle<Float> DUP_LOW = VectorShuffle.fromOp(S, j -> j / 2);
    /** Lane j takes lane L/2 + j/2: spreads the last L/2 values over adjacent pairs. */
    private static final VectorShuffle<Float> DUP_HIGH = VectorShuffle.fromOp(S, j -> L / 2 + j / 2);
    /** Lane j takes lane j ^ 1: the partner of each adjacent pair. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(S, j -> j ^ 1);
    /** -1 on even lanes, +1 on odd ones: x'[2i] gets -x[2i+1] sin, x'[2i+1] gets +x[2i] sin. */
    private static final FloatVector PAIR_SIGN = FloatVector.fromArray(S, pairSigns(), 0);

    private static float[] pairSigns() {
        float[] s = new float[L];
        for (int j = 0; j < L; j++) {
            s[j] = (j & 1) == 0 ? -1f : 1f;
        }
        return s;
    }

    @Override
    public void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int size, float eps) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int i = 0;
        for (int end = size - 4 * L; i <= end; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
            FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
            FloatVector v2 = FloatVector.fromArray(S, x, xOff + i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, x, xOff + i + 3 * L);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
            a2 = v2.fma(v2, a2);
            a3 = v3.fma(v3, a3);
        }
        for (int end = size - L; i <= end; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            a0 = v.fma(v, a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < size; i++) {
            float v = x[xOff + i];
            sum += v * v;
        }
        float scale = ScalarVectorOps.rmsScale(sum, size, eps);
        int j = 0;
        for (int end = S.loopBound(size); j < end; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + j).mul(scale);
            v.mul(FloatVector.fromArray(S, weight, j)).intoArray(out, outOff + j);
        }
        for (; j < size; j++) {
            out[outOff + j] = (x[xOff + j] * scale) * weight[j];
        }
    }

    @Override
    public void rope(float[] x, int off, int heads, int headDim, int pos, float[] invFreq, boolean neox) {
        int pairs = ScalarVectorOps.checkRope(heads, headDim, invFreq);
        int i = 0;
        // L pairs per step: the angles of L pairs are one vector, their cos/sin are computed once
        // and reused by every head
        for (int end = pairs - L; i <= end; i += L) {
            FloatVector angle = FloatVector.fromArray(S, invFreq, i).mul(pos);
            FloatVector cos = angle.lanewise(VectorOperators.COS);
            FloatVector sin = angle.lanewise(VectorOperators.SIN);
            if (neox) {
                for (int h = 0; h < heads; h++) {
                    int a = off + h * headDim + i;
                    int b = a + pairs;
                    FloatVector x0 = FloatVector.fromArray(S, x, a);
                    FloatVector x1 = FloatVector.fromArray(S, x, b);
                    x0.mul(cos).sub(x1.mul(sin)).intoArray(x, a);
                    x0.mul(sin).add(x1.mul(cos)).intoArray(x, b);
                }
            } else {
                FloatVector cosLow = cos.rearrange(DUP_LOW);
                FloatVector cosHigh = cos.rearrange(DUP_HIGH);
                FloatVector sinLow = sin.rearrange(DUP_LOW).mul(PAIR_SIGN);
                FloatVector sinHigh = sin.rearrange(DUP_HIGH).mul(PAIR_SIGN);
                for (int h = 0; h < heads; h++) {
                    int a = off + h * headDim + 2 * i;
                    FloatVector v0 = FloatVector.fromArray(S, x, a);
                    FloatVector v1 = FloatVector.fromArray(S, x, a + L);
                    v0.mul(cosLow).add(v0.rearrange(SWAP_PAIRS).mul(sinLow)).intoArray(x, a);
                    v1.mul(cosHigh).add(v1.rearrange(SWAP_PAIRS).mul(sinHigh)).intoArray(x, a + L);
                }
            }
        }
        for (; i < pairs; i++) {
            float angle = pos * invFreq[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int base = off + h * headDim;
                int a = neox ? base + i : base + 2 * i;
                int b = neox ? a + pairs : a + 1;
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        float max = max(x, off, len);
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int i = 0;
        for (int end = len - 2 * L; i <= end; i += 2 * L) {
            FloatVector e0 = FloatVector.fromArray(S, x, off + i).sub(vmax).lanewise(VectorOperators.EXP);
            FloatVector e1 = FloatVector.fromArray(S, x, off + i + L).sub(vmax).lanewise(VectorOperators.EXP);
            e0.intoArray(x, off + i);
            e1.intoArray(x, off + i + L);
            s0 = s0.add(e0);
            s1 = s1.add(e1);
        }
        for (int end = len - L; i <= end; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(vmax).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            s0 = s0.add(e);
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        scale(x, off, len, 1.0f / sum);
    }

    /** The largest of {@code x[off .. off + n)}, -infinity for none; NaN if one is NaN. */
    private static float max(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m0;
        int i = 0;
        for (int end = n - 2 * L; i <= end; i += 2 * L) {
            m0 = m0.max(FloatVector.fromArray(S, x, off + i));
            m1 = m1.max(FloatVector.fromArray(S, x, off + i + L));
        }
        for (int end = n - L; i <= end; i += L) {
            m0 = m0.max(FloatVector.fromArray(S, x, off + i));
        }
        float max = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    private static void scale(float[] x, int off, int n, float factor) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= factor;
        }
    }

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(S, gate, gateOff + i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(S, up, upOff + i)).intoArray(gate, gateOff + i);
        }
        for (; i < n; i++) {
            gate[gateOff + i] = ScalarVectorOps.silu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    @Override
    public void geglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(S, gate, gateOff + i);
            FloatVector inner = g.mul(ScalarVectorOps.SQRT_2_OVER_PI)
                    .mul(g.mul(g).mul(ScalarVectorOps.GELU_COEF_A).add(1f));
            FloatVector gelu = g.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f));
            gelu.mul(FloatVector.fromArray(S, up, upOff + i)).intoArray(gate, gateOff + i);
        }
        for (; i < n; i++) {
            gate[gateOff + i] = ScalarVectorOps.gelu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    @Override
    public void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(S, y, yOff + i).add(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        if (n <= 0) {
            return ScalarVectorOps.firstLargest(x, off, n); // its error message
        }
        float max = max(x, off, n);
        if (Float.isNaN(max)) {
            // lane-wise max propagates NaN; the scalar rule (NaN never wins) decides instead
            return ScalarVectorOps.firstLargest(x, off, n);
        }
        // second pass: the first index holding the maximum (ties go to the first, as the scalar twin)
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            VectorMask<Float> hit = FloatVector.fromArray(S, x, off + i).eq(max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            if (x[off + i] == max) {
                return i;
            }
        }
        throw new AssertionError("maximum " + max + " not found again");
    }

    @Override
    public void attention(float[] q, int qOff, float[] keys, float[] values, int cacheOff, int nPos, int nHeads,
            int nKvHeads, int headDim, float scale, float[] scores, float[] out, int outOff) {
        int group = ScalarVectorOps.checkAttention(keys, values, cacheOff, nPos, nHeads, nKvHeads, headDim);
        int tile = tilePositions(headDim);
        if (nPos > tile && scores.length >= tile + 2 * group) {
            for (int kv = 0; kv < nKvHeads; kv++) {
                attendGroupTiled(q, qOff + kv * group * headDim, keys, values, nPos, group, nKvHeads * headDim,
                        cacheOff + kv * headDim, headDim, scale, scores, tile, out, outOff + kv * group * headDim);
            }
            return;
        }
        int posStride = nKvHeads * headDim;
        for (int h = 0; h < nHeads; h++) {
            int kvOff = cacheOff + (h / group) * headDim;
            int qh = qOff + h * headDim;
            scores(q, qh, keys, kvOff, posStride, nPos, headDim, scale, scores);
            softmax(scores, 0, nPos);
            weightedSum(scores, values, nPos, posStride, kvOff, headDim, out, outOff + h * headDim);
        }
    }

    /** Positions per tile: the tile's keys and values (2 x tile x headDim floats) stay near 16 KiB, in L1. */
    static int tilePositions(int headDim) {
        return Math.clamp(2048 / headDim, 8, 256);
    }

    /**
     * The query heads of one KV head, tile by tile over the positions with an online softmax, so
     * each key and value row is read from memory once for the whole group instead of once per
     * query head (the heads of a group re-read the tile from L1). Per head, {@code m} is the
     * largest score so far and {@code l} the sum of {@code exp(score - m)}; when a tile raises
     * {@code m}, what was accumulated is scaled by {@code exp(mOld - mNew)}. The output is divided by
     * {@code l} at the end. Equal to the two-pass softmax up to float rounding.
     *
     * <p>Scratch: {@code scores[0, tile)} the tile's weights, then {@code m} and {@code l} per head.
     */
    private static void attendGroupTiled(float[] q, int qOff, float[] keys, float[] values, int nPos, int group,
            int posStride, int kvOff, int headDim, float scale, float[] scores, int tile, float[] out, int outOff) {
        int mAt = tile;
        int lAt = tile + group;
        for (int g = 0; g < group; g++) {
            scores[mAt + g] = Float.NEGATIVE_INFINITY;
            scores[lAt + g] = 0f;
            Arrays.fill(out, outOff + g * headDim, outOff + (g + 1) * headDim, 0f);
        }
        for (int p0 = 0; p0 < nPos; p0 += tile) {
            int n = Math.min(tile, nPos - p0);
            int base = p0 * posStride + kvOff;
            for (int g = 0; g < group; g++) {
                int qh = qOff + g * headDim;
                scores(q, qh, keys, base, posStride, n, headDim, scale, scores);
                float mOld = scores[mAt + g];
                float mNew = Math.max(mOld, max(scores, 0, n));
                float sum = expShifted(scores, n, mNew);
                float correction = (float) Math.exp(mOld - mNew); // 0 on the first tile (mOld = -inf)
                scores[mAt + g] = mNew;
                scores[lAt + g] = scores[lAt + g] * correction + sum;
                accumulate(scores, n, values, base, posStride, headDim, correction, out, outOff + g * headDim);
            }
        }
        for (int g = 0; g < group; g++) {
            scale(out, outOff + g * headDim, headDim, 1.0f / scores[lAt + g]);
        }
    }

    /** {@code x[i] = exp(x[i] - shift)} for i < n; returns their sum. */
    private static float expShifted(float[] x, int n, float shift) {
        FloatVector vShift = FloatVector.broadcast(S, shift);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, i).sub(vShift).lanewise(VectorOperators.EXP);
            e.intoArray(x, i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[i] - shift);
            x[i] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code out[d] = out[d] * correction + sum_p w[p] * values[base + p * stride + d]} for p < n. */
    private static void accumulate(float[] w, int n, float[] values, int base, int stride, int headDim,
            float correction, float[] out, int outOff) {
        int d = 0;
        for (int end = headDim - 4 * L; d <= end; d += 4 * L) {
            FloatVector acc0 = FloatVector.fromArray(S, out, outOff + d).mul(correction);
            FloatVector acc1 = FloatVector.fromArray(S, out, outOff + d + L).mul(correction);
            FloatVector acc2 = FloatVector.fromArray(S, out, outOff + d + 2 * L).mul(correction);
            FloatVector acc3 = FloatVector.fromArray(S, out, outOff + d + 3 * L).mul(correction);
            for (int p = 0, v = base + d; p < n; p++, v += stride) {
                FloatVector wp = FloatVector.broadcast(S, w[p]);
                acc0 = FloatVector.fromArray(S, values, v).fma(wp, acc0);
                acc1 = FloatVector.fromArray(S, values, v + L).fma(wp, acc1);
                acc2 = FloatVector.fromArray(S, values, v + 2 * L).fma(wp, acc2);
                acc3 = FloatVector.fromArray(S, values, v + 3 * L).fma(wp, acc3);
            }
            acc0.intoArray(out, outOff + d);
            acc1.intoArray(out, outOff + d + L);
            acc2.intoArray(out, outOff + d + 2 * L);
            acc3.intoArray(out, outOff + d + 3 * L);
        }
        for (int end = headDim - 2 * L; d <= end; d += 2 * L) {
            FloatVector acc0 = FloatVector.fromArray(S, out, outOff + d).mul(correction);
            FloatVector acc1 = FloatVector.fromArray(S, out, outOff + d + L).mul(correction);
            for (int p = 0, v = base + d; p < n; p++, v += stride) {
                FloatVector wp = FloatVector.broadcast(S, w[p]);
                acc0 = FloatVector.fromArray(S, values, v).fma(wp, acc0);
                acc1 = FloatVector.fromArray(S, values, v + L).fma(wp, acc1);
            }
            acc0.intoArray(out, outOff + d);
            acc1.intoArray(out, outOff + d + L);
        }
        for (int end = headDim - L; d <= end; d += L) {
            FloatVector acc = FloatVector.fromArray(S, out, outOff + d).mul(correction);
            for (int p = 0, v = base + d; p < n; p++, v += stride) {
                acc = FloatVector.fromArray(S, values, v).fma(FloatVector.broadcast(S, w[p]), acc);
            }
            acc.intoArray(out, outOff + d);
        }
        for (; d < headDim; d++) {
            float acc = out[outOff + d] * correction;
            for (int p = 0, v = base + d; p < n; p++, v += stride) {
                acc += w[p] * values[v];
            }
            out[outOff + d] = acc;
        }
    }

    /**
     * {@code scores[p] = scale * q[qOff ..] . keys[base + p * stride ..]} for p < n. Four positions
     * per step share each load of q and keep four independent FMA chains in flight.
     */
    private static void scores(float[] q, int qOff, float[] keys, int base, int stride, int n, int headDim,
            float scale, float[] scores) {
        int p = 0;
        int vecEnd = headDim - L;
        for (; p + 4 <= n; p += 4) {
            int k0 = base + p * stride;
            int k1 = k0 + stride;
            int k2 = k1 + stride;
            int k3 = k2 + stride;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int d = 0;
            for (; d <= vecEnd; d += L) {
                FloatVector qv = FloatVector.fromArray(S, q, qOff + d);
                a0 = qv.fma(FloatVector.fromArray(S, keys, k0 + d), a0);
                a1 = qv.fma(FloatVector.fromArray(S, keys, k1 + d), a1);
                a2 = qv.fma(FloatVector.fromArray(S, keys, k2 + d), a2);
                a3 = qv.fma(FloatVector.fromArray(S, keys, k3 + d), a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; d < headDim; d++) {
                float qd = q[qOff + d];
                s0 += qd * keys[k0 + d];
                s1 += qd * keys[k1 + d];
                s2 += qd * keys[k2 + d];
                s3 += qd * keys[k3 + d];
            }
            scores[p] = s0 * scale;
            scores[p + 1] = s1 * scale;
            scores[p + 2] = s2 * scale;
            scores[p + 3] = s3 * scale;
        }
        for (; p < n; p++) {
            scores[p] = dot(q, qOff, keys, base + p * stride, headDim) * scale;
        }
    }

    /** {@code a[aOff ..] . b[bOff ..]} over {@code n} values, two accumulators. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int d = 0;
        for (int end = n - 2 * L; d <= end; d += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, aOff + d).fma(FloatVector.fromArray(S, b, bOff + d), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + d + L).fma(FloatVector.fromArray(S, b, bOff + d + L), acc1);
        }
        for (int end = n - L; d <= end; d += L) {
            acc0 = FloatVector.fromArray(S, a, aOff + d).fma(FloatVector.fromArray(S, b, bOff + d), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; d < n; d++) {
            sum += a[aOff + d] * b[bOff + d];
        }
        return sum;
    }

    /**
     * {@code out[d] = sum_p w[p] * values[p * stride + kvOff + d]}. Dimensions are the outer loop
     * so that each output chunk stays in a register while the positions stream by.
     */
    private static void weightedSum(float[] w, float[] values, int nPos, int stride, int kvOff, int headDim,
            float[] out, int outOff) {
        int d = 0;
        for (int end = headDim - 4 * L; d <= end; d += 4 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            for (int p = 0, v = kvOff + d; p < nPos; p++, v += stride) {
                FloatVector wp = FloatVector.broadcast(S, w[p]);
                acc0 = FloatVector.fromArray(S, values, v).fma(wp, acc0);
                acc1 = FloatVector.fromArray(S, values, v + L).fma(wp, acc1);
                acc2 = FloatVector.fromArray(S, values, v + 2 * L).fma(wp, acc2);
                acc3 = FloatVector.fromArray(S, values, v + 3 * L).fma(wp, acc3);
            }
            acc0.intoArray(out, outOff + d);
            acc1.intoArray(out, outOff + d + L);
            acc2.intoArray(out, outOff + d + 2 * L);
            acc3.intoArray(out, outOff + d + 3 * L);
        }
        for (int end = headDim - 2 * L; d <= end; d += 2 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (int p = 0, v = kvOff + d; p < nPos; p++, v += stride) {
                FloatVector wp = FloatVector.broadcast(S, w[p]);
                acc0 = FloatVector.fromArray(S, values, v).fma(wp, acc0);
                acc1 = FloatVector.fromArray(S, values, v + L).fma(wp, acc1);
            }
            acc0.intoArray(out, outOff + d);
            acc1.intoArray(out, outOff + d + L);
        }
        for (int end = headDim - L; d <= end; d += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int p = 0, v = kvOff + d; p < nPos; p++, v += stride) {
                acc = FloatVector.fromArray(S, values, v).fma(FloatVector.broadcast(S, w[p]), acc);
            }
            acc.intoArray(out, outOff + d);
        }
        for (; d < headDim; d++) {
            float acc = 0;
            for (int p = 0, v = kvOff + d; p < nPos; p++, v += stride) {
                acc += w[p] * values[v];
            }
            out[outOff + d] = acc;
        }
    }
}
