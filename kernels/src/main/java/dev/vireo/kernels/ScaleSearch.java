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

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Round to nearest, ties to even (ggml's nearest_int for the magnitudes met here). */
    static int nearest(float v) {
        return (int) Math.rint(v);
    }

    /**
     * Fits {@code x[o + i] ~ scale * L_i + offset} with levels 0..nmax and offset <= 0 (an
     * offset above 0 would be stored as a negative min, which the formats cannot hold), minimising
     * the squared error. Candidate steps: {@code range / (nmax + first + delta * k)}, k = 0..steps.
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
        float range = max - min;
        double bestErr = Double.MAX_VALUE;
        float bestScale = range / nmax;
        float bestOffset = min;
        for (int k = -1; k <= steps; k++) {
            // k = -1: the plain min/max step with the plain offset, the baseline the search must beat
            float inv = k < 0 ? nmax / range : (nmax + first + delta * k) / range;
            long sl = 0;
            long sll = 0;
            double sxl = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearest(inv * (x[o + i] - min)), 0, nmax);
                sl += l;
                sll += (long) l * l;
                sxl += (double) x[o + i] * l;
            }
            double s;
            double b;
            if (k < 0) {
                s = range / (double) nmax;
                b = min;
            } else {
                // least squares for s, b with sum (s l + b - x)^2, then b <= 0 enforced
                double det = (double) n * sll - (double) sl * sl;
                if (det <= 0) {
                    continue;
                }
                s = (n * sxl - sx * sl) / det;
                b = (sll * sx - sl * sxl) / det;
                if (b > 0) {
                    b = 0;
                    s = sxl / sll;
                }
            }
            double err = sxx + s * s * sll + b * b * n - 2 * s * sxl - 2 * b * sx + 2 * s * b * sl;
            if (err < bestErr) {
                bestErr = err;
                bestScale = (float) s;
                bestOffset = (float) b;
            }
        }
        // Then a few Lloyd steps: levels nearest to the best line, and the best line for those
        // levels. This lands on an exact grid when the values have one (re-quantizing a block).
        for (int it = 0; it < REFINE_STEPS && bestScale > 0f; it++) {
            float inv = 1f / bestScale;
            long sl = 0;
            long sll = 0;
            double sxl = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearest(inv * (x[o + i] - bestOffset)), 0, nmax);
                sl += l;
                sll += (long) l * l;
                sxl += (double) x[o + i] * l;
            }
            double det = (double) n * sll - (double) sl * sl;
            if (det <= 0) {
                break;
            }
            double s = (n * sxl - sx * sl) / det;
            double b = (sll * sx - sl * sxl) / det;
            if (b > 0) {
                b = 0;
                s = sxl / sll;
            }
            double err = sxx + s * s * sll + b * b * n - 2 * s * sxl - 2 * b * sx + 2 * s * b * sl;
            if (!(err < bestErr)) {
                break;
            }
            bestErr = err;
            bestScale = (float) s;
            bestOffset = (float) b;
        }
        scale = bestScale;
        offset = bestOffset;
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
        // error = sxx - sxl^2 / sll for the best scale of given levels: maximise sxl^2 / sll
        double bestGain = -1;
        float bestScale = -max / nmax;
        for (int k = -steps; k <= steps; k++) {
            float inv = -(nmax + delta * k) / max;
            double sxl = 0;
            long sll = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearest(inv * x[o + i]), -nmax, nmax - 1);
                sxl += (double) x[o + i] * l;
                sll += (long) l * l;
            }
            if (sll == 0) {
                continue;
            }
            double gain = sxl * sxl / sll;
            if (gain > bestGain) {
                bestGain = gain;
                bestScale = (float) (sxl / sll);
            }
        }
        double bestErr = -bestGain;
        for (int it = 0; it < REFINE_STEPS && bestScale != 0f; it++) {
            float inv = 1f / bestScale;
            double sxl = 0;
            long sll = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearest(inv * x[o + i]), -nmax, nmax - 1);
                sxl += (double) x[o + i] * l;
                sll += (long) l * l;
            }
            if (sll == 0 || !(-(sxl * sxl / sll) < bestErr)) {
                break;
            }
            bestErr = -(sxl * sxl / sll);
            bestScale = (float) (sxl / sll);
        }
        scale = bestScale;
    }
}
