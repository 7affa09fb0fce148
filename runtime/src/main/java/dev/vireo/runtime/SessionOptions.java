package dev.vireo.runtime;

/**
 * Per-session settings.
 *
 * @param threads threads for the matrix kernels; 0: all available processors
 * @param contextLength positions the KV cache may hold; 0: the model's context length (a larger
 *     value is capped at the model's)
 */
public record SessionOptions(int threads, int contextLength) {
    public SessionOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " must be positive (0 = all processors)");
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length " + contextLength + " must be positive (0 = the model's)");
        }
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
