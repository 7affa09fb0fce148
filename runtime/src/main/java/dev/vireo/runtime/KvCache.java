package dev.vireo.runtime;

/**
 * The keys and values of every processed position in F32, one array per layer and KV head:
 * position p of a head starts at {@code p * headDim}. Keeping each KV head apart lets the
 * attention of different heads run on different threads with the plain
 * {@code VectorOps.attention} kernel (one KV head and its group of query heads per call).
 *
 * <p>The whole cache is allocated when the session opens, for the session's context length: no
 * allocation or copy ever happens mid-generation, and the session's memory is known up front.
 * Going past the limit is a {@link ContextOverflowException}: the cache never wraps around.
 */
final class KvCache {
    private final int limit;
    private final int headDim;
    private final int kvHeads;
    /** [layer][kv head]: limit x headDim values. */
    final float[][][] keys;
    final float[][][] values;

    KvCache(int layers, int kvHeads, int headDim, int limit) {
        this.limit = limit;
        this.headDim = headDim;
        this.kvHeads = kvHeads;
        long floats = (long) limit * headDim;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + limit + " positions x " + headDim
                    + " values does not fit in one Java array: use a smaller context length (-c)");
        }
        this.keys = new float[layers][kvHeads][(int) floats];
        this.values = new float[layers][kvHeads][(int) floats];
    }

    /** Positions the cache holds at most (the session's context length). */
    int limit() {
        return limit;
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
        float[][] lk = keys[layer];
        float[][] lv = values[layer];
        int at = pos * headDim;
        for (int h = 0; h < kvHeads; h++) {
            System.arraycopy(k, kOff + h * headDim, lk[h], at, headDim);
            System.arraycopy(v, vOff + h * headDim, lv[h], at, headDim);
        }
    }
}
