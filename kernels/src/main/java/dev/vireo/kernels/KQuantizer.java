package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Float to the K-quant super-blocks of 256 values: Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (layouts in
 * QUANTS.md section 3, read back by {@link Blocks#dequantize}).
 *
 * <p>All five work in the same three steps, as ggml's reference quantizers do: (1) each sub-block
 * gets its own real scale (and min) from a {@link ScaleSearch}; (2) those scales are stored as
 * small integers against one fp16 super-block scale, chosen so that the largest one uses the
 * full integer range; (3) every value's level is picked against the scale as it will be read
 * back (fp16 super scale times integer sub-block scale, in float, in the dequantizer's order),
 * so the rounding of the scales costs as little as possible.
 *
 * <p>There are no reference bytes to match (ggml's K-quant search is not bit-reproduced here);
 * the tests bound the round-trip error instead. An instance is scratch for one thread.
 */
final class KQuantizer {
    static final int QK = 256;
    /** The largest finite fp16: super scales are clamped to it so huge inputs saturate instead of becoming Inf/NaN. */
    private static final float F16_MAX = 65504f;

    private final ScaleSearch search = new ScaleSearch();
    /** Real scale and min of each sub-block, from the search. */
    private final float[] scales = new float[16];
    private final float[] mins = new float[16];
    /** Their stored integers: sub-block scale (signed for Q3_K/Q6_K) and min. */
    private final int[] sc = new int[16];
    private final int[] mq = new int[16];
    /** Levels of the 256 values of the current super-block (unsigned, already offset). */
    private final int[] q = new int[QK];

    /** Super-block scale and min of the block last given to {@link #affineSubBlocks}, as stored (fp16). */
    private float superD;
    private float superDmin;

    private static void putByte(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    private static void putF16(MemorySegment s, long off, float v) {
        s.set(Blocks.U16, off, Halves.floatToF16(v));
    }

    /** The fp16 value that {@code v} (either sign) becomes, clamped to the finite fp16 range. */
    private static float toF16(float v) {
        float c = Math.max(-F16_MAX, Math.min(F16_MAX, v));
        return Float.float16ToFloat(Halves.floatToF16(c));
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * Integer sub-block scales {@code out[j] = round(values[j] / d)} in {@code lo..hi} for a stored
     * super scale {@code d} (0 gives all zero).
     */
    private static void integerScales(float[] values, int count, float d, int lo, int hi, int[] out) {
        for (int j = 0; j < count; j++) {
            out[j] = d == 0f ? 0 : clamp(ScaleSearch.nearest(values[j] / d), lo, hi);
        }
    }

    /**
     * Steps (1)-(3) of the class comment for the formats with a scale and a min per sub-block
     * (Q2_K, Q4_K, Q5_K): fits each of {@code groups} sub-blocks of {@code size} values with the
     * search's candidates ({@code rmin}, {@code rdelta}, {@code nstep}), stores the integer scales
     * in {@link #sc} and mins in {@link #mq} (0..{@code scaleMax}) against {@link #superD} and
     * {@link #superDmin}, and picks the levels 0..{@code nmax} into {@link #q}.
     */
    private void affineSubBlocks(float[] x, int o, int groups, int size, int nmax, float rmin, float rdelta,
            int nstep, int scaleMax) {
        float maxScale = 0f;
        float maxMin = 0f;
        for (int j = 0; j < groups; j++) {
            search.fitAffine(x, o + size * j, size, nmax, rmin, rdelta, nstep);
            scales[j] = search.scale;
            mins[j] = -search.offset;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float d = toF16(maxScale / scaleMax);
        float dmin = toF16(maxMin / scaleMax);
        integerScales(scales, groups, d, 0, scaleMax, sc);
        integerScales(mins, groups, dmin, 0, scaleMax, mq);
        for (int j = 0; j < groups; j++) {
            levelsAffine(x, o, size * j, size, d * sc[j], dmin * mq[j], nmax);
        }
        superD = d;
        superDmin = dmin;
    }

    // ---------------------------------------------------------------- Q4_K and Q5_K

    /** Q4_K (144 bytes) or Q5_K (176 bytes): 8 sub-blocks of 32, 6-bit scales and mins, 4 or 5 bit levels. */
    void q4k5k(float[] x, int o, MemorySegment dst, long d0, boolean five) {
        int nmax = five ? 31 : 15;
        // Candidate steps range/14 .. range/16 (Q4_K) and range/30.5 .. range/32 (Q5_K), the
        // span ggml searches, but 6 resp. 5 of them rather than 21 resp. 16: with the Lloyd
        // steps that follow the error is within 0.3 % of the fine search (Gaussian rows) at
        // half the cost, which keeps a 1B-parameter synth well under a minute.
        if (five) {
            affineSubBlocks(x, o, 8, 32, nmax, -0.5f, 0.4f, 4, 63);
        } else {
            affineSubBlocks(x, o, 8, 32, nmax, -1f, 0.4f, 5, 63);
        }
        float d = superD;
        float dmin = superDmin;
        putF16(dst, d0, d);
        putF16(dst, d0 + 2, dmin);
        packScalesK4(dst, d0 + 4);
        long qs = d0 + (five ? 48 : 16);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = q[64 * c + l];
                int hi = q[64 * c + 32 + l];
                putByte(dst, qs + 32 * c + l, (lo & 0xF) | (hi & 0xF) << 4);
            }
        }
        if (five) {
            for (int l = 0; l < 32; l++) {
                int h = 0;
                for (int s = 0; s < 8; s++) {
                    h |= ((q[32 * s + l] >> 4) & 1) << s;
                }
                putByte(dst, d0 + 16 + l, h);
            }
        }
    }

    /** Levels of values {@code [from, from + n)} for {@code w = ds * q - dm}, q in 0..nmax. */
    private void levelsAffine(float[] x, int o, int from, int n, float ds, float dm, int nmax) {
        for (int i = from; i < from + n; i++) {
            q[i] = ds == 0f ? 0 : clamp(ScaleSearch.nearest((x[o + i] + dm) / ds), 0, nmax);
        }
    }

    /** The 12-byte 6-bit scale/min packing of QUANTS.md 3.1, from {@code sc} and {@code mq}. */
    private void packScalesK4(MemorySegment dst, long off) {
        for (int j = 0; j < 4; j++) {
            putByte(dst, off + j, sc[j] | (sc[j + 4] >> 4) << 6);
            putByte(dst, off + j + 4, mq[j] | (mq[j + 4] >> 4) << 6);
            putByte(dst, off + j + 8, (sc[j + 4] & 0xF) | (mq[j + 4] & 0xF) << 4);
        }
    }

    // ---------------------------------------------------------------- Q6_K

    /** Q6_K (210 bytes): 16 groups of 16, signed 8-bit scales, levels -32..31. */
    void q6k(float[] x, int o, MemorySegment dst, long d0) {
        float d = symmetricScales(x, o, 32, 128);
        integerScales(scales, 16, d, -128, 127, sc);
        levelsSymmetric(x, o, d, 32);
        dst.asSlice(d0, 192).fill((byte) 0);
        for (int i = 0; i < QK; i++) {
            int h = i / 128;
            int r = i % 128;
            int k = r / 32;
            int l = r % 32;
            long ql = d0 + 64 * h + l + 32 * (k & 1);
            long qh = d0 + 128 + 32 * h + l;
            putByte(dst, ql, Blocks.u8(dst, ql) | (q[i] & 0xF) << (4 * (k >> 1)));
            putByte(dst, qh, Blocks.u8(dst, qh) | (q[i] >> 4) << (2 * k));
        }
        for (int j = 0; j < 16; j++) {
            putByte(dst, d0 + 192 + j, sc[j]);
        }
        putF16(dst, d0 + 208, d);
    }

    /**
     * Fits the 16 groups of 16 symmetrically ({@code scales[]}) and returns the stored super scale:
     * the group scale of largest magnitude becomes {@code -scaleRange} (the side with the extra
     * integer), so the super scale has the opposite sign of that group scale.
     */
    private float symmetricScales(float[] x, int o, int nmax, int scaleRange) {
        float maxScale = 0f;
        for (int j = 0; j < 16; j++) {
            // steps -max/(nmax - 0.8) .. -max/(nmax + 0.8), as coarse as Q4_K's (see there)
            search.fitSymmetric(x, o + 16 * j, 16, nmax, 0.4f, 2);
            scales[j] = search.scale;
            if (Math.abs(scales[j]) > Math.abs(maxScale)) {
                maxScale = scales[j];
            }
        }
        return toF16(-maxScale / scaleRange);
    }

    /** Levels {@code q = round(x / (d * sc)) + nmax} clamped to 0..2 nmax - 1, group by group. */
    private void levelsSymmetric(float[] x, int o, float d, int nmax) {
        for (int j = 0; j < 16; j++) {
            float dl = d * sc[j];
            for (int i = 16 * j; i < 16 * j + 16; i++) {
                q[i] = dl == 0f ? nmax : clamp(ScaleSearch.nearest(x[o + i] / dl), -nmax, nmax - 1) + nmax;
            }
        }
    }

    // ---------------------------------------------------------------- Q3_K

    /** Q3_K (110 bytes): 16 groups of 16, signed 6-bit scales, levels -4..3 (2 low bits + a high bit). */
    void q3k(float[] x, int o, MemorySegment dst, long d0) {
        float d = symmetricScales(x, o, 4, 32);
        integerScales(scales, 16, d, -32, 31, sc);
        levelsSymmetric(x, o, d, 4);
        dst.asSlice(d0, 110).fill((byte) 0);
        for (int i = 0; i < QK; i++) {
            int h = i / 128;
            int r = i % 128;
            int j = r / 32;
            int l = r % 32;
            long qs = d0 + 32 + 32 * h + l;
            putByte(dst, qs, Blocks.u8(dst, qs) | (q[i] & 3) << (2 * j));
            long hm = d0 + l;
            putByte(dst, hm, Blocks.u8(dst, hm) | (q[i] >> 2) << (4 * h + j));
        }
        long s = d0 + 96;
        for (int k = 0; k < 16; k++) {
            int v = sc[k] + 32;
            long lowAt = s + (k < 8 ? k : k - 8);
            putByte(dst, lowAt, Blocks.u8(dst, lowAt) | (v & 15) << (k < 8 ? 0 : 4));
            long hiAt = s + 8 + k % 4;
            putByte(dst, hiAt, Blocks.u8(dst, hiAt) | (v >> 4) << (2 * (k / 4)));
        }
        putF16(dst, d0 + 108, d);
    }

    // ---------------------------------------------------------------- Q2_K

    /** Q2_K (84 bytes): 16 groups of 16, 4-bit scales and mins, levels 0..3. */
    void q2k(float[] x, int o, MemorySegment dst, long d0) {
        // with 4 levels every candidate counts: the fine search, range/2.5 .. range/4
        affineSubBlocks(x, o, 16, 16, 3, -0.5f, 0.1f, 15, 15);
        float d = superD;
        float dmin = superDmin;
        for (int j = 0; j < 16; j++) {
            putByte(dst, d0 + j, sc[j] | mq[j] << 4);
        }
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int b = 0;
                for (int j = 0; j < 4; j++) {
                    b |= q[128 * h + 32 * j + l] << (2 * j);
                }
                putByte(dst, d0 + 16 + 32 * h + l, b);
            }
        }
        putF16(dst, d0 + 80, d);
        putF16(dst, d0 + 82, dmin);
    }
}
