package dev.vireo.runtime;

import java.util.Arrays;

/**
 * The keys and values of every processed position, per layer, in F32. Position p of a layer
 * starts at {@code p * kvLength} (the layout {@code VectorOps.attention} reads).
 *
 * <p>The capacity grows by doubling up to {@link #limit()} so that a session with a long context
 * limit does not reserve gigabytes it never uses; growth happens a handful of times per session,
 * never per token once the cache is warm. Going past the limit is a {@link ContextOverflowException}:
 * the cache never wraps around.
 */
final class KvCache {
    private final int layers;
    private final int kvLength;
    private final int limit;
    final float[][] keys;
    final float[][] values;
    private int capacity;

    KvCache(int layers, int kvLength, int limit, int initialCapacity) {
        this.layers = layers;
        this.kvLength = kvLength;
        this.limit = limit;
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.capacity = 0;
        ensureCapacity(Math.min(limit, Math.max(1, initialCapacity)));
    }

    /** Positions the cache may hold at most (the session's context length). */
    int limit() {
        return limit;
    }

    /** Values per position and layer ({@code headCountKv * headDim}). */
    int kvLength() {
        return kvLength;
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
        long floats = (long) grown * kvLength;
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + grown + " positions x " + kvLength
                    + " values does not fit in one Java array: use a smaller context length");
        }
        for (int l = 0; l < layers; l++) {
            keys[l] = keys[l] == null ? new float[(int) floats] : Arrays.copyOf(keys[l], (int) floats);
            values[l] = values[l] == null ? new float[(int) floats] : Arrays.copyOf(values[l], (int) floats);
        }
        capacity = grown;
    }
}
