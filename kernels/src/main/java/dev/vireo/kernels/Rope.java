package dev.vireo.kernels;

/** Rotary position embedding frequencies, as ggml computes them. */
public final class Rope {
    private Rope() {}

    /**
     * {@code theta_i = freqScale * base^(-2i / nRot) / factors[i]} for i < nRot/2.
     *
     * @param factors per-frequency divisors (Llama 3.1 {@code rope_freqs}), or null
     * @param freqScale linear scaling: 1 / scaling factor (1 for none)
     */
    public static float[] inverseFrequencies(int nRot, float base, float[] factors, float freqScale) {
        if (nRot <= 0 || nRot % 2 != 0) {
            throw new IllegalArgumentException("rope dimension " + nRot + " must be positive and even");
        }
        if (factors != null && factors.length != nRot / 2) {
            throw new IllegalArgumentException("rope_freqs has " + factors.length + " values, expected " + nRot / 2);
        }
        float[] out = new float[nRot / 2];
        for (int i = 0; i < out.length; i++) {
            double theta = Math.pow(base, -2.0 * i / nRot) * freqScale;
            if (factors != null) {
                theta /= factors[i];
            }
            out[i] = (float) theta;
        }
        return out;
    }
}
