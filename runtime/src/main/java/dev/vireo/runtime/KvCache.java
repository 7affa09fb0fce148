package dev.vireo.runtime;

import java.util.Arrays;

/**
 * The keys and values of every processed position in F32, one array per layer and KV head:
 * position p of a head starts at {@code p * headDim}. Keeping each KV head apart lets the
 * attention of different heads run on different threads with the plain
 * {@code VectorOps.attention} kernel (one KV head and its group of query heads per call).
 *
 * <p>The capacity grows by doubling up to {@link #limit()} so that a session with a long context
 * limit does not reserve gigabytes it never uses; growth happens a handful of times per session,
 * never per token once the cache is warm. Going past the limit is a {@link ContextOverflowException}:
 * the cache never wraps around.
 */
final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int limit;
    /** [layer][kv head]: capacity x headDim values. */
    final float[][][] keys;
    final float[][][] values;
    private int capacity;

    KvCache(int layers, int kvHeads, int headDim, int limit, int initialCapacity) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.limit = limit;
        this.keys = new float[layers][kvHeads][];
        this.values = new float[layers][kvHeads][];
        this.capacity = 0;
        ensureCapacity(Math.min(limit, Math.max(1, initialCapacity)));
    }

    /** Positions the cache may hold at most (the session's context length). */
    int limit() {
        return limit;
    }

    /**
     * Makes room for positions {@code [0, positions)}.
     *
     * @throws ContextOverflowException when {@code positions} exceeds the limit
     */
    void ensureCapacity(int positions) {
        if (positions > limit) {
            throw new ContextOverflowException(positions, limit);
        }
        if (positions <= capacity) {
            return;
        }
        int grown = (int) Math.min(limit, Math.max((long) positions, 2L * capacity));
        long floats = (long) grown * headDim;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + grown + " positions x " + headDim
                    + " values does not fit in one Java array: use a smaller context length");
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                keys[l][h] = grow(keys[l][h], (int) floats);
                values[l][h] = grow(values[l][h], (int) floats);
            }
        }
        capacity = grown;
    }

    private static float[] grow(float[] a, int size) {
        return a == null ? new float[size] : Arrays.copyOf(a, size);
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
