package dev.vireo.runtime.tokenizer;

import java.util.Arrays;

/**
 * The work queue of candidate merges: a binary min-heap on a long priority (smaller pops first)
 * carrying three ints (right symbol, merged length, merged id). Primitive arrays so a long word
 * costs O(n log n) without boxing; stale entries are skipped by the caller when popped.
 */
final class MergeQueue {
    private long[] keys = new long[64];
    private int[] rights = new int[64];
    private int[] lengths = new int[64];
    private int[] results = new int[64];
    private int size;

    // the payload of the last popped entry
    int right;
    int length;
    int result;

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    void push(long key, int right, int length, int result) {
        if (size == keys.length) {
            int n = size * 2;
            keys = Arrays.copyOf(keys, n);
            rights = Arrays.copyOf(rights, n);
            lengths = Arrays.copyOf(lengths, n);
            results = Arrays.copyOf(results, n);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, key, right, length, result);
    }

    /** Removes the smallest entry, returns its key and leaves its payload in the public fields. */
    long pop() {
        long top = keys[0];
        right = rights[0];
        length = lengths[0];
        result = results[0];
        size--;
        if (size > 0) {
            long key = keys[size];
            int r = rights[size], l = lengths[size], m = results[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && keys[child + 1] < keys[child]) {
                    child++;
                }
                if (key <= keys[child]) {
                    break;
                }
                move(child, i);
                i = child;
            }
            set(i, key, r, l, m);
        }
        return top;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        rights[to] = rights[from];
        lengths[to] = lengths[from];
        results[to] = results[from];
    }

    private void set(int i, long key, int right, int length, int result) {
        keys[i] = key;
        rights[i] = right;
        lengths[i] = length;
        results[i] = result;
    }
}
