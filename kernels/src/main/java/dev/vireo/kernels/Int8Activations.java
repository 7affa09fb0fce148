package dev.vireo.kernels;

/**
 * Activations quantized to 8 bits in blocks of 32 (ggml's Q8_0 activation format, kept unpacked):
 * per block a scale {@code d} and 32 integers {@code q} with {@code x ~ d * q}, plus block sums
 * {@code d * sum(q)} for the formats with a minimum ({@code m * sum(x)}; taken from the quantized
 * values as ggml's Q8_1 and Q8_K do). The integers are stored widened to 16 bits so the kernels
 * can multiply them with 16-bit weight lanes directly.
 *
 * <p>One instance per {@link MatrixKernels}; arrays grow to the largest product seen and are then
 * reused, so steady-state calls allocate nothing.
 */
final class Int8Activations {
    short[] q = new short[0];
    /** The block scale rounded to binary16, as ggml's Q8_0 and Q8_1 blocks store it. */
    float[] d = new float[0];
    /** {@code dk * sum(q)} rounded to binary16: the {@code s} field of ggml's Q8_1 (Q4_1, Q5_1). */
    float[] sum1 = new float[0];
    /**
     * The scale and block sum with d kept in float, for the K-quant kernels: ggml pairs K-quants
     * with Q8_K activations, whose scale is a float, not a binary16.
     */
    float[] dk = new float[0];
    float[] sumk = new float[0];
    /** {@code dk} repeated per 16 values (Q6_K scales cover 16 weights). */
    float[] d16 = new float[0];
    /** Values per token (the matrix's cols); token t starts at {@code t * cols} in q. */
    int cols;

    /** Quantizes {@code n} vectors of {@code cols} values: token t reads {@code x[xOff + t * xStride ..]}. */
    void quantize(float[] x, int xOff, int xStride, int n, int cols) {
        reserve(n, cols);
        for (int t = 0; t < n; t++) {
            quantizeToken(x, xOff + t * xStride, t);
        }
    }

    /** Sizes the arrays for {@code n} tokens of {@code cols} (call before {@link #quantizeToken}). */
    void reserve(int n, int cols) {
        int total = n * cols;
        if (q.length < total) {
            q = new short[total];
            d = new float[total / 32];
            dk = new float[total / 32];
            sumk = new float[total / 32];
            sum1 = new float[total / 32];
            d16 = new float[total / 16];
        }
        this.cols = cols;
    }

    /** Quantizes token {@code t} from {@code x[src .. src + cols)}; tokens may run in parallel. */
    void quantizeToken(float[] x, int src, int t) {
        for (int c = 0; c < cols; c += 32) {
            quantizeBlock(x, src + c, t * cols + c);
        }
    }

    /**
     * As ggml's reference Q8_0 quantizer: d = amax / 127, q = round half away from zero (x / d),
     * and the scale kept is d rounded to binary16, as {@code block_q8_0} stores it (the integers
     * are computed with the unrounded d, as there). Every kernel then multiplies with the same
     * activation values ggml does, which brings Q8_0/Q4_0 logits to within float rounding of
     * llama.cpp's. K-quant kernels read the float scale ({@link #dk}), as ggml's Q8_K keeps it.
     */
    private void quantizeBlock(float[] x, int src, int dst) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[src + j]));
        }
        float scale = amax / 127f;
        float id = scale != 0f ? 1f / scale : 0f;
        int isum = 0;
        for (int j = 0; j < 32; j++) {
            double v = x[src + j] * id;
            // |v| <= 127.0001: truncating v +- 0.5 in double rounds half away from zero exactly
            int qj = (int) (v + Math.copySign(0.5, v));
            q[dst + j] = (short) qj;
            isum += qj;
        }
        float stored = Float.float16ToFloat(Float.floatToFloat16(scale));
        d[dst / 32] = stored;
        dk[dst / 32] = scale;
        sumk[dst / 32] = scale * isum;
        sum1[dst / 32] = Float.float16ToFloat(Float.floatToFloat16(scale * isum));
        d16[dst / 16] = scale;
        d16[dst / 16 + 1] = scale;
    }
}
