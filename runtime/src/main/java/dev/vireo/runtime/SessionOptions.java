package dev.vireo.runtime;

/**
 * Per-session settings.
 *
 * @param threads threads for the matrix kernels; 0: all available processors
 * @param contextLength positions the KV cache may hold; 0: the smaller of the model's context length
 *     and {@value #DEFAULT_CONTEXT} (as llama.cpp's default n_ctx); a larger value is capped at the
 *     model's. The whole cache is allocated when the session opens (about
 *     {@code 2 * layers * kvHeads * headDim * 4} bytes per position), so a model's full 128k context
 *     is only reserved when asked for.
 * @param batchSize tokens of a prompt evaluated together (llama.cpp's {@code -b}): each chunk goes
 *     through the matrix-matrix path, which reuses every weight tile for all its tokens. The
 *     session's activation buffers are sized for {@code min(batchSize, context)} tokens (about
 *     {@code (4 * embedding + 2 * feedForward) * 4} bytes per token). Results do not depend on it
 *     beyond float rounding.
 */
public record SessionOptions(int threads, int contextLength, int batchSize) {
    /** Context length used when none is given and the model allows more. */
    public static final int DEFAULT_CONTEXT = 4096;

    /**
     * Batch size used when none is given: the tiled matmul measured ~68 GFLOP/s per core with 64
     * tokens and ~74-76 with 128 or 256, and a 128-token prompt is then a single chunk.
     */
    public static final int DEFAULT_BATCH = 256;

    public SessionOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be positive (0 = all processors)");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length " + contextLength + " must be positive (0 = the default)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be 1 or more");
        }
    }

    /** These threads and context, the default batch size. */
    public SessionOptions(int threads, int contextLength) {
        this(threads, contextLength, DEFAULT_BATCH);
    }

    /**
     * The context a session with these options gets on a model whose trained context is
     * {@code modelContext}: the requested length capped at the model's, or the default.
     */
    public int effectiveContextLength(int modelContext) {
        return contextLength == 0 ? Math.min(modelContext, DEFAULT_CONTEXT) : Math.min(contextLength, modelContext);
    }

    public static SessionOptions defaults() {
        return new SessionOptions(0, 0, DEFAULT_BATCH);
    }

    public SessionOptions withThreads(int v) {
        return new SessionOptions(v, contextLength, batchSize);
    }

    public SessionOptions withContextLength(int v) {
        return new SessionOptions(threads, v, batchSize);
    }

    public SessionOptions withBatchSize(int v) {
        return new SessionOptions(threads, contextLength, v);
    }
}
