package dev.vireo.runtime.tokenizer;

/**
 * BPE merges by pair of symbol ids: (left, right) -> (rank, merged id), in an open-addressing table
 * of longs so that the merge loop looks pairs up without building strings. Symbol ids are token
 * ids, or ids above the vocabulary for merge parts that are not tokens (see {@link BpeEncoder}).
 * The first (lowest-rank) entry for a pair wins, as in llama.cpp's {@code bpe_ranks.emplace}.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] pairs;
    private final long[] values;
    private final int mask;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        pairs = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(pairs, EMPTY);
        mask = capacity - 1;
    }

    void putIfAbsent(int left, int right, int rank, int merged) {
        long key = key(left, right);
        int slot = slot(key);
        while (pairs[slot] != EMPTY) {
            if (pairs[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        pairs[slot] = key;
        values[slot] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
    }

    /** (rank << 32 | merged id) of the pair, or -1 when the pair never merges. */
    long get(int left, int right) {
        long key = key(left, right);
        for (int slot = slot(key); pairs[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (pairs[slot] == key) {
                return values[slot];
            }
        }
        return -1L;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
