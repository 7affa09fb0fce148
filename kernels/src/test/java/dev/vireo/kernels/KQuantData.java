package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Test data and helpers for the K-quant quantizers: value kinds, round trip, and a plain baseline. */
final class KQuantData {
    private KQuantData() {}

    static final GgmlType[] TYPES = {GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};

    /** Kinds of rows: uniform, Gaussian, and Gaussian with rare large outliers (as trained weights have). */
    enum Kind {
        UNIFORM, GAUSSIAN, OUTLIERS;

        float[] values(int n, long seed) {
            Random r = new Random(seed);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = switch (this) {
                    case UNIFORM -> (float) (r.nextDouble() * 2 - 1) * 0.03f;
                    case GAUSSIAN -> (float) r.nextGaussian() * 0.02f;
                    case OUTLIERS -> (float) (r.nextGaussian() * 0.02 * (r.nextInt(64) == 0 ? 8 : 1));
                };
            }
            return x;
        }
    }

    /** quantize with {@link Quantizer}, then dequantize with {@link Blocks}. */
    static float[] roundTrip(GgmlType type, float[] x) {
        MemorySegment seg = Arena.ofAuto().allocate(type.bytesFor(x.length));
        Quantizer.quantizeRow(type, x, 0, x.length, seg, 0);
        return dequantize(type, seg, x.length);
    }

    static float[] dequantize(GgmlType type, MemorySegment seg, int n) {
        float[] back = new float[n];
        for (int b = 0; b < n / 256; b++) {
            Blocks.dequantize(type, seg, (long) b * type.bytesPerBlock(), back, 256 * b);
        }
        return back;
    }

    static double rms(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s / a.length);
    }

    static double rmsError(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - y[i];
            s += d * d;
        }
        return Math.sqrt(s / x.length);
    }

    private static float f16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    private static int clamp(long v, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, v));
    }

    /**
     * The same format filled the naive way, written independently of the quantizer: each group's
     * scale (and min) from its min/max or abs-max alone, no search; then the same integer scales
     * against an fp16 super scale and nearest levels. Returns the values it would read back.
     */
    static float[] baseline(GgmlType type, float[] x) {
        float[] y = new float[x.length];
        for (int b = 0; b < x.length; b += 256) {
            switch (type) {
                case Q2_K -> affine(x, b, y, 16, 3, 15);
                case Q4_K -> affine(x, b, y, 32, 15, 63);
                case Q5_K -> affine(x, b, y, 32, 31, 63);
                case Q3_K -> symmetric(x, b, y, 4, 32);
                case Q6_K -> symmetric(x, b, y, 32, 128);
                default -> throw new AssertionError(type);
            }
        }
        return y;
    }

    private static void affine(float[] x, int b, float[] y, int group, int nmax, int scaleMax) {
        int groups = 256 / group;
        float[] scale = new float[groups];
        float[] min = new float[groups];
        float maxScale = 0;
        float maxMin = 0;
        for (int g = 0; g < groups; g++) {
            float lo = 0;
            float hi = -Float.MAX_VALUE;
            for (int i = b + g * group; i < b + (g + 1) * group; i++) {
                lo = Math.min(lo, x[i]);
                hi = Math.max(hi, x[i]);
            }
            scale[g] = Math.max(0, hi - lo) / nmax;
            min[g] = -lo;
            maxScale = Math.max(maxScale, scale[g]);
            maxMin = Math.max(maxMin, min[g]);
        }
        float d = f16(maxScale / scaleMax);
        float dmin = f16(maxMin / scaleMax);
        for (int g = 0; g < groups; g++) {
            int sc = d == 0 ? 0 : clamp(Math.round(scale[g] / d), 0, scaleMax);
            int m = dmin == 0 ? 0 : clamp(Math.round(min[g] / dmin), 0, scaleMax);
            float ds = d * sc;
            float dm = dmin * m;
            for (int i = b + g * group; i < b + (g + 1) * group; i++) {
                int q = ds == 0 ? 0 : clamp(Math.round((x[i] + dm) / ds), 0, nmax);
                y[i] = ds * q - dm;
            }
        }
    }

    private static void symmetric(float[] x, int b, float[] y, int nmax, int scaleRange) {
        float[] scale = new float[16];
        float maxScale = 0;
        for (int g = 0; g < 16; g++) {
            float max = 0;
            for (int i = b + 16 * g; i < b + 16 * g + 16; i++) {
                if (Math.abs(x[i]) > Math.abs(max)) {
                    max = x[i];
                }
            }
            scale[g] = -max / nmax;
            if (Math.abs(scale[g]) > Math.abs(maxScale)) {
                maxScale = scale[g];
            }
        }
        float d = f16(-maxScale / scaleRange);
        for (int g = 0; g < 16; g++) {
            int sc = d == 0 ? 0 : clamp(Math.round(scale[g] / d), -scaleRange, scaleRange - 1);
            float dl = d * sc;
            for (int i = b + 16 * g; i < b + 16 * g + 16; i++) {
                int q = dl == 0 ? 0 : clamp(Math.round(x[i] / dl), -nmax, nmax - 1);
                y[i] = dl * q;
            }
        }
    }
}
