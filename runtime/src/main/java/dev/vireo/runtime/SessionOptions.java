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
 */
public record SessionOptions(int threads, int contextLength) {
    /** Context length used when none is given and the model allows more. */
    public static final int DEFAULT_CONTEXT = 4096;

    public SessionOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be positive (0 = all processors)");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length " + contextLength + " must be positive (0 = the default)");
        }
    }

    /**
     * The context a session with these options gets on a model whose trained context is
     * {@code modelContext}: the requested length capped at the model's, or the default.
     */
    public int effectiveContextLength(int modelContext) {
        return contextLength == 0 ? Math.min(modelContext, DEFAULT_CONTEXT) : Math.min(contextLength, modelContext);
    }

    public static SessionOptions defaults() {
        return new SessionOptions(0, 0);
    }

    public SessionOptions withThreads(int v) {
        return new SessionOptions(v, contextLength);
    }

    public SessionOptions withContextLength(int v) {
        return new SessionOptions(threads, v);
    }
}
