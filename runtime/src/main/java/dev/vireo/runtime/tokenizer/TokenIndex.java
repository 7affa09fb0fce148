package dev.vireo.runtime.tokenizer;

/**
 * Token text to id, looked up by a region of a character sequence so that the merge loops can ask
 * "is this span a token?" without building a String for every candidate pair.
 *
 * <p>Open addressing with linear probing over a power-of-two table at most half full. When two
 * ids share a text the later id wins, as in llama.cpp's {@code token_to_id[text] = id}.
 */
final class TokenIndex {
    private final String[] keys;
    private final int[] ids;
    private final int mask;

    TokenIndex(String[] texts) {
        int capacity = Integer.highestOneBit(Math.max(4, texts.length) * 2 - 1) << 1;
        keys = new String[capacity];
        ids = new int[capacity];
        mask = capacity - 1;
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            int slot = hash(t, 0, t.length()) & mask;
            while (keys[slot] != null && !keys[slot].equals(t)) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = t;
            ids[slot] = id;
        }
    }

    /** The id of {@code s}, or -1. */
    int get(CharSequence s) {
        return get(s, 0, s.length());
    }

    /** The id of the text {@code s[start, end)}, or -1. */
    int get(CharSequence s, int start, int end) {
        int slot = hash(s, start, end) & mask;
        int len = end - start;
        for (String k = keys[slot]; k != null; k = keys[slot]) {
            if (k.length() == len && regionEquals(k, s, start)) {
                return ids[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static boolean regionEquals(String k, CharSequence s, int start) {
        for (int i = 0; i < k.length(); i++) {
            if (k.charAt(i) != s.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }

    private static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        // spread the bits: the low bits of a polynomial hash of short strings cluster
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
