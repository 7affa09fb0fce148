package dev.vireo.kernels;

/**
 * Plain-Java small ops: the readable reference the Vector API twin is tested against.
 *
 * <p>Precision follows ggml's CPU backend: values are float, but the two reductions ggml keeps in
 * {@code ggml_float} (double) stay in double here too: the sum of squares of RMSNorm and the sum
 * of exponentials of softmax. Dot products and weighted sums of attention are float, as ggml's
 * {@code ggml_vec_dot_f32} and {@code ggml_vec_mad_f32} are. Transcendentals go through
 * {@link Math} in double and are rounded once to float (at least as accurate as C's
 * {@code expf}/{@code tanhf}).
 */
final class ScalarVectorOps implements VectorOps {

    /** sqrt(2 / pi), the constant of the tanh approximation of GELU (as ggml). */
    static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    /** The cubic coefficient of the tanh approximation of GELU (as ggml). */
    static final float GELU_COEF_A = 0.044715f;

    @Override
    public void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int size, float eps) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float v = x[xOff + i];
            sum += v * v; // float product, double sum: as ggml_compute_forward_rms_norm_f32
        }
        float scale = rmsScale(sum, size, eps);
        for (int i = 0; i < size; i++) {
            // ggml applies the scale (rms_norm) and then the weight (a separate mul): two roundings
            out[outOff + i] = (x[xOff + i] * scale) * weight[i];
        }
    }

    /** {@code 1 / sqrt(mean + eps)} computed as ggml does: mean and root in float. */
    static float rmsScale(double sumOfSquares, int size, float eps) {
        if (size <= 0) {
            throw new IllegalArgumentException("rmsNorm size " + size + " must be positive");
        }
        float mean = (float) (sumOfSquares / size);
        return 1.0f / (float) Math.sqrt(mean + eps);
    }

    @Override
    public void rope(float[] x, int off, int heads, int headDim, int pos, float[] invFreq, boolean neox) {
        int pairs = checkRope(heads, headDim, invFreq);
        for (int i = 0; i < pairs; i++) {
            float angle = pos * invFreq[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int base = off + h * headDim;
                // normal: the pair is (2i, 2i+1); neox: (i, i + n/2) with n = 2 * pairs
                int a = neox ? base + i : base + 2 * i;
                int b = neox ? a + pairs : a + 1;
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }

    /** Validates the RoPE shape; returns the number of rotated pairs per head. */
    static int checkRope(int heads, int headDim, float[] invFreq) {
        int pairs = invFreq.length;
        if (heads < 0 || 2 * pairs > headDim) {
            throw new IllegalArgumentException("rope rotates " + 2 * pairs + " dimensions but the head has "
                    + headDim + " (heads " + heads + ")");
        }
        return pairs;
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0; // ggml_vec_soft_max_f32 sums in ggml_float (double)
        for (int i = 0; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < len; i++) {
            x[off + i] *= inv;
        }
    }

    @Override
    public void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            gate[gateOff + i] = silu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    /** {@code x * sigmoid(x)}, written as ggml does: {@code x / (1 + exp(-x))}. */
    static float silu(float x) {
        return x / (1.0f + (float) Math.exp(-x));
    }

    @Override
    public void geglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            gate[gateOff + i] = gelu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    /**
     * ggml's tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/pi) x (1 + 0.044715 x^2)))}, in float.
     * ggml's CPU backend by default (GGML_GELU_FP16) instead rounds x to f16 and reads an f16 table
     * of this formula; we keep the formula, as its GPU backends do: the two differ by the f16
     * rounding (about 1e-3 relative), well inside the logit tolerances of the golden tests.
     */
    static float gelu(float x) {
        float inner = SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x);
        return 0.5f * x * (1.0f + (float) Math.tanh(inner));
    }

    @Override
    public void add(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    @Override
    public int argmax(float[] x, int off, int n) {
        return firstLargest(x, off, n);
    }

    /**
     * Index of the first largest value; NaN never wins (it compares false with everything), and
     * an all-NaN input gives 0.
     */
    static int firstLargest(float[] x, int off, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("argmax over " + n + " values");
        }
        int best = -1;
        float bestValue = Float.NaN;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (best < 0 ? !Float.isNaN(v) : v > bestValue) { // strict: the first maximum wins ties
                bestValue = v;
                best = i;
            }
        }
        return Math.max(best, 0);
    }

    @Override
    public void attention(float[] q, int qOff, float[] keys, float[] values, int cacheOff, int nPos, int nHeads,
            int nKvHeads, int headDim, float scale, float[] scores, float[] out, int outOff) {
        int group = checkAttention(keys, values, cacheOff, nPos, nHeads, nKvHeads, headDim);
        int posStride = nKvHeads * headDim;
        for (int h = 0; h < nHeads; h++) {
            int kvOff = cacheOff + (h / group) * headDim;
            int qh = qOff + h * headDim;
            for (int p = 0; p < nPos; p++) {
                int k = p * posStride + kvOff;
                float dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += q[qh + d] * keys[k + d];
                }
                scores[p] = dot * scale;
            }
            softmax(scores, 0, nPos);
            int oh = outOff + h * headDim;
            for (int d = 0; d < headDim; d++) {
                out[oh + d] = 0;
            }
            for (int p = 0; p < nPos; p++) {
                float w = scores[p];
                int v = p * posStride + kvOff;
                for (int d = 0; d < headDim; d++) {
                    out[oh + d] += w * values[v + d];
                }
            }
        }
    }

    /**
     * Validates the attention shape and that both cache arrays hold the {@code nPos} positions from
     * {@code cacheOff} on (once per call, so the loops' own index checks never fire mid-way);
     * returns the number of query heads per KV head.
     */
    static int checkAttention(float[] keys, float[] values, int cacheOff, int nPos, int nHeads, int nKvHeads,
            int headDim) {
        if (nPos <= 0 || nHeads <= 0 || nKvHeads <= 0 || headDim <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("attention over " + nPos + " positions with " + nHeads
                    + " query heads, " + nKvHeads + " KV heads of " + headDim
                    + " (need positive sizes, query heads a multiple of KV heads)");
        }
        long end = cacheOff + (long) nPos * nKvHeads * headDim;
        if (cacheOff < 0 || end > keys.length || end > values.length) {
            throw new IllegalArgumentException("attention cache of " + keys.length + " keys and " + values.length
                    + " values does not hold " + nPos + " positions x " + nKvHeads + " KV heads x " + headDim
                    + " from offset " + cacheOff);
        }
        return nHeads / nKvHeads;
    }
}
