package dev.vireo.kernels;

/**
 * The small transformer kernels over float arrays. Obtain an instance from {@link KernelProvider}
 * (Vector API or scalar). Stateless and thread-safe; nothing allocates.
 */
public interface VectorOps {

    /** {@code out = x / sqrt(mean(x^2) + eps) * weight} over {@code size} values. {@code out} may be {@code x}. */
    void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int size, float eps);

    /**
     * Rotates {@code heads} consecutive heads of {@code headDim} values starting at {@code off} for
     * position {@code pos}. Dimensions {@code >= 2 * invFreq.length} pass through unchanged.
     *
     * @param neox false: adjacent pairs (x[2i], x[2i+1]) (ggml "normal", llama); true: halves
     *     (x[i], x[i + n/2]) (ggml "neox", qwen2/qwen3), n = 2 * invFreq.length
     * @param invFreq angle per position for pair i (see {@link Rope#inverseFrequencies})
     */
    void rope(float[] x, int off, int heads, int headDim, int pos, float[] invFreq, boolean neox);

    /** In-place softmax of {@code x[off .. off + len)}. */
    void softmax(float[] x, int off, int len);

    /** {@code gate[i] = silu(gate[i]) * up[i]} for {@code n} values. */
    void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n);

    /** {@code gate[i] = gelu(gate[i]) * up[i]} (tanh approximation, as ggml) for {@code n} values. */
    void geglu(float[] gate, int gateOff, float[] up, int upOff, int n);

    /** {@code y[i] += x[i]} for {@code n} values. */
    void add(float[] y, int yOff, float[] x, int xOff, int n);

    /** Index of the largest of {@code x[off .. off + n)} (the first on ties). */
    int argmax(float[] x, int off, int n);

    /**
     * Attention of one query position over {@code nPos} cached positions, every query head.
     * Cache layout, the same in {@code keys} and {@code values}: position p, KV head h starts at
     * {@code cacheOff + p * nKvHeads * headDim + h * headDim}. The offset lets one large array hold
     * several caches (a runtime keeps each KV head of a layer at its own offset in one array).
     * Query head h uses KV head {@code h / (nHeads / nKvHeads)}.
     *
     * @param q {@code nHeads * headDim} query values at {@code qOff}
     * @param cacheOff where position 0 of KV head 0 starts in {@code keys} and {@code values}
     * @param scores scratch of at least {@code nPos} floats
     * @param out {@code nHeads * headDim} results at {@code outOff}
     * @throws IllegalArgumentException if a size is not positive, the query heads are not a
     *     multiple of the KV heads, or the cache arrays end before the last position
     */
    void attention(float[] q, int qOff, float[] keys, float[] values, int cacheOff, int nPos, int nHeads,
            int nKvHeads, int headDim, float scale, float[] scores, float[] out, int outOff);
}
