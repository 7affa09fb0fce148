package dev.vireo.runtime;

/**
 * The keys and values of every processed position in F32: one array of keys and one of values
 * per layer, head-major: KV head h occupies {@code [h * limit * headDim, (h + 1) * limit * headDim)}
 * and its position p starts at {@link #headOffset(int) headOffset(h)} {@code + p * headDim}.
 * Keeping each KV head's positions contiguous lets the attention of different heads run on
 * different threads with the plain {@code VectorOps.attention} kernel (one KV head and its group
 * of query heads per call, at the head's offset).
 *
 * <p>Why one array per layer rather than one per head: a per-head array (1 MiB for a 1B model at
 * 4096 positions) is below G1's humongous threshold (half a region), so all of them were
 * allocated in the young generation and copied out of it by a dozen young collections at session
 * open. A whole layer (8 MiB there) is humongous: allocated directly in the old generation, never
 * copied.
 *
 * <p>The whole cache is allocated when the session opens, for the session's context length: no
 * allocation or copy ever happens mid-generation, and the session's memory is known up front.
 * Going past the limit is a {@link ContextOverflowException}: the cache never wraps around.
 */
final class KvCache {
    private final int limit;
    private final int headDim;
    private final int kvHeads;
    /** [layer]: kvHeads x limit x headDim values, head-major. */
    final float[][] keys;
    final float[][] values;

    KvCache(int layers, int kvHeads, int headDim, int limit) {
        this.limit = limit;
        this.headDim = headDim;
        this.kvHeads = kvHeads;
        long floats = (long) kvHeads * limit * headDim;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + limit + " positions x " + kvHeads + " KV heads x "
                    + headDim + " values per layer does not fit in one Java array: use a smaller context length (-c)");
        }
        this.keys = new float[layers][(int) floats];
        this.values = new float[layers][(int) floats];
    }

    /** Positions the cache holds at most (the session's context length). */
    int limit() {
        return limit;
    }

    /** Where KV head {@code h}'s position 0 starts in a layer's {@link #keys} and {@link #values}. */
    int headOffset(int h) {
        return h * limit * headDim;
    }

    /**
     * Checks that positions {@code [0, positions)} fit.
     *
     * @throws ContextOverflowException when {@code positions} exceeds the limit
     */
    void checkPositions(int positions) {
        if (positions > limit) {
            throw new ContextOverflowException(positions, limit);
        }
    }

    /**
     * Stores the keys and values of one position: {@code kvHeads * headDim} values each, head
     * after head, from {@code k[kOff ..]} and {@code v[vOff ..]}.
     */
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] lk = keys[layer];
        float[] lv = values[layer];
        int at = pos * headDim;
        for (int h = 0; h < kvHeads; h++) {
            int to = headOffset(h) + at;
            System.arraycopy(k, kOff + h * headDim, lk, to, headDim);
            System.arraycopy(v, vOff + h * headDim, lv, to, headDim);
        }
    }
}
