package dev.vireo.kernels;

/**
 * Finds the scale (and offset) of one small group of values for the K-quant quantizers.
 *
 * <p>A plain min/max (or abs-max) scale wastes levels whenever the extreme value is an outlier of
 * its group. Instead a few candidate step sizes around {@code range / levels} are tried: each one
 * fixes the integer levels by rounding, and for those levels the best scale (and offset) has a
 * closed least-squares form. The candidate with the smallest squared error wins. The sums are kept
 * in double so that the error of a candidate is computed in one pass, from the sums alone.
 *
 * <p>Only the scale (and offset) are kept: the caller rounds them to the stored precision and then
 * picks each value's level against the rounded scale. One instance holds the result of the last
 * fit; it is scratch for one thread.
 */
final class ScaleSearch {
    /** Lloyd refinement steps after the candidate search (each one more pass over the group). */
    private static final int REFINE_STEPS = 2;

    /** Scale of the last fit: value = scale * level + offset. */
    float scale;
    /** Offset of the last affine fit (at most 0), or 0 for a symmetric one. */
    float offset;

    /** Values of the current group minus their offset (affine) or as they are (symmetric). */
    private final float[] y = new float[32];
    /** Sums of the last {@link #levelSums} pass: sum l, sum l^2, sum y l. */
    private int sumL;
    private int sumLL;
    private float sumYL;

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Round to nearest, ties to even (ggml's nearest_int for the magnitudes met here). */
    static int nearest(float v) {
        return (int) Math.rint(v);
    }

    /** 1.5 * 2^23: adding it leaves round(v) (ties to even) in the low mantissa bits, for |v| < 2^22. */
    private static final float MAGIC = 12582912f;

    /**
     * {@link #nearest} with float adds and int operations only, for the hot loops; values outside
     * +-2^22 give garbage that the callers' clamps absorb (their levels are at most 32). Ties must
     * go to even here: re-quantizing a block meets exact ties, and rounding them up instead picks
     * a grid one level wider.
     */
    private static int nearestFast(float v) {
        return (Float.floatToRawIntBits(v + MAGIC) & 0x7FFFFF) - 0x400000;
    }

    /**
     * One candidate: levels {@code l = round((y + shift) * inv)} clamped to {@code lo..hi} and
     * their sums (unsigned formats: 0..nmax; signed: -nmax..nmax-1 with shift 0). The hot loop of
     * the search, kept to float and int operations.
     */
    private void levelSums(int n, float inv, float shift, int lo, int hi) {
        // four independent partial sums (n is 16 or 32): the float adds do not wait on each other
        int sl = 0;
        int sll = 0;
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int i = 0; i < n; i += 4) {
            int l0 = Math.min(hi, Math.max(lo, nearestFast((y[i] + shift) * inv)));
            int l1 = Math.min(hi, Math.max(lo, nearestFast((y[i + 1] + shift) * inv)));
            int l2 = Math.min(hi, Math.max(lo, nearestFast((y[i + 2] + shift) * inv)));
            int l3 = Math.min(hi, Math.max(lo, nearestFast((y[i + 3] + shift) * inv)));
            sl += l0 + l1 + l2 + l3;
            sll += l0 * l0 + l1 * l1 + l2 * l2 + l3 * l3;
            s0 += y[i] * l0;
            s1 += y[i + 1] * l1;
            s2 += y[i + 2] * l2;
            s3 += y[i + 3] * l3;
        }
        sumL = sl;
        sumLL = sll;
        sumYL = (s0 + s1) + (s2 + s3);
    }

    /**
     * Fits {@code x[o + i] ~ scale * L_i + offset} with levels 0..nmax and offset <= 0 (an
     * offset above 0 would be stored as a negative min, which the formats cannot hold), minimising
     * the squared error. Candidate steps: {@code range / (nmax + first + delta * k)}, k = 0..steps,
     * besides the plain {@code range / nmax}.
     */
    void fitAffine(float[] x, int o, int n, int nmax, float first, float delta, int steps) {
        float min = 0f;
        float max = -Float.MAX_VALUE;
        double sx = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            float v = x[o + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            sx += v;
            sxx += (double) v * v;
        }
        if (!(max > min)) {
            // every value equals min <= 0 (all zero, or one negative constant): exact with levels 0
            scale = 0f;
            offset = min;
            return;
        }
        for (int i = 0; i < n; i++) {
            y[i] = x[o + i] - min;
        }
        float range = max - min;
        // the plain min/max fill is the first candidate: the search can only improve on it
        levelSums(n, nmax / range, 0f, 0, nmax);
        double bestScale = range / (double) nmax;
        double bestOffset = min;
        double bestErr = affineError(sx, sxx, n, min, bestScale, bestOffset);
        for (int k = 0; k <= steps; k++) {
            levelSums(n, (nmax + first + delta * k) / range, 0f, 0, nmax);
            if (fitLine(sx, n, min)) {
                double err = affineError(sx, sxx, n, min, fitS, fitB);
                if (err < bestErr) {
                    bestErr = err;
                    bestScale = fitS;
                    bestOffset = fitB;
                }
            }
        }
        // Then a few Lloyd steps: levels nearest to the best line, and the best line for those
        // levels. This lands on an exact grid when the values have one (re-quantizing a block).
        for (int it = 0; it < REFINE_STEPS && bestScale > 0; it++) {
            levelSums(n, (float) (1 / bestScale), (float) (min - bestOffset), 0, nmax);
            if (!fitLine(sx, n, min)) {
                break;
            }
            double err = affineError(sx, sxx, n, min, fitS, fitB);
            if (!(err < bestErr)) {
                break;
            }
            bestErr = err;
            bestScale = fitS;
            bestOffset = fitB;
        }
        scale = (float) bestScale;
        offset = (float) bestOffset;
    }

    private double fitS;
    private double fitB;

    /**
     * Least squares line {@code x ~ s l + b} for the levels of the last {@link #levelSums} pass
     * (b <= 0 enforced); false when the levels are all equal.
     */
    private boolean fitLine(double sx, int n, float min) {
        double sl = sumL;
        double sll = sumLL;
        double sxl = sumYL + (double) min * sumL;
        double det = n * sll - sl * sl;
        if (det <= 0) {
            return false;
        }
        fitS = (n * sxl - sx * sl) / det;
        fitB = (sll * sx - sl * sxl) / det;
        if (fitB > 0) {
            fitB = 0;
            fitS = sxl / sll;
        }
        return true;
    }

    /** {@code sum (s l + b - x)^2} from the sums of the last pass, without another pass. */
    private double affineError(double sx, double sxx, int n, float min, double s, double b) {
        double sl = sumL;
        double sll = sumLL;
        double sxl = sumYL + (double) min * sumL;
        return sxx + s * s * sll + b * b * n - 2 * s * sxl - 2 * b * sx + 2 * s * b * sl;
    }

    /**
     * Fits {@code x[o + i] ~ scale * L_i} with signed levels -nmax..nmax-1, minimising the
     * squared error. The value of largest magnitude is mapped towards -nmax (the side with the
     * extra level), so the scale has the opposite sign of that value. Candidate steps:
     * {@code -max / (nmax + delta * k)}, k = -steps..steps.
     */
    void fitSymmetric(float[] x, int o, int n, int nmax, float delta, int steps) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[o + i];
            y[i] = v;
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        offset = 0f;
        if (amax == 0f) {
            scale = 0f;
            return;
        }
        // for given levels the best scale is sxl / sll and the error sxx - sxl^2 / sll:
        // maximise the gain sxl^2 / sll
        double bestGain = -1;
        double bestScale = -max / nmax;
        for (int k = -steps; k <= steps; k++) {
            levelSums(n, -(nmax + delta * k) / max, 0f, -nmax, nmax - 1);
            double gain = (double) sumYL * sumYL / sumLL;
            if (sumLL > 0 && gain > bestGain) {
                bestGain = gain;
                bestScale = sumYL / (double) sumLL;
            }
        }
        for (int it = 0; it < REFINE_STEPS && bestScale != 0; it++) {
            levelSums(n, (float) (1 / bestScale), 0f, -nmax, nmax - 1);
            double gain = (double) sumYL * sumYL / sumLL;
            if (sumLL == 0 || !(gain > bestGain)) {
                break;
            }
            bestGain = gain;
            bestScale = sumYL / (double) sumLL;
        }
        scale = (float) bestScale;
    }
}
