package dev.vireo.runtime.tokenizer;

import java.util.Arrays;

/**
 * Byte-level BPE encoding of one raw fragment, as llama.cpp's {@code llm_tokenizer_bpe_session}:
 * pre-tokenize, then inside each piece start from one symbol per UTF-8 byte and repeatedly merge
 * the adjacent pair with the lowest merge rank (ties: leftmost) until no pair merges. A heap of
 * candidate pairs keeps a long word O(n log n).
 *
 * <p>One instance per encode call (it keeps scratch arrays); the vocabulary and merges are shared.
 */
final class BpeEncoder {
    private final Vocabulary vocab;
    private final BpeMerges merges;
    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final int[] asciiTokens;
    private final MergeQueue queue = new MergeQueue();
    private final IntList pieces = new IntList(64);
    private final StringBuilder byteText = new StringBuilder();
    private byte[] bytes = new byte[64];
    private int[] symbol = new int[64];
    private int[] length = new int[64];
    private int[] prev = new int[64];
    private int[] next = new int[64];

    BpeEncoder(Vocabulary vocab, BpeMerges merges, PreTokenizer preTokenizer, boolean ignoreMerges, int[] asciiTokens) {
        this.vocab = vocab;
        this.merges = merges;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        this.asciiTokens = asciiTokens;
    }

    /** The id of each one-character token for printable ASCII (the fallback for unknown symbols), else -1. */
    static int[] asciiTokens(Vocabulary v) {
        int[] ids = new int[128];
        for (int c = 0; c < 128; c++) {
            ids[c] = v.index.get(String.valueOf((char) c));
        }
        return ids;
    }

    /** Encodes {@code text[start, end)} and appends the ids to {@code out}. */
    void encode(String text, int start, int end, IntList out) {
        preTokenizer.split(text, start, end, pieces);
        for (int i = 0; i < pieces.size(); i += 2) {
            encodePiece(text, pieces.get(i), pieces.get(i + 1), out);
        }
    }

    private void encodePiece(String text, int start, int end, IntList out) {
        int n = utf8(text, start, end);
        if (n == 0) {
            return;
        }
        if (ignoreMerges) {
            byteText.setLength(0);
            for (int i = 0; i < n; i++) {
                byteText.append(ByteLevel.charOf(bytes[i]));
            }
            int id = vocab.index.get(byteText);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            symbol[i] = merges.byteSymbols[bytes[i] & 0xFF];
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 == n ? -1 : i + 1;
        }
        queue.clear();
        for (int i = 1; i < n; i++) {
            tryAddPair(i - 1, i);
        }
        while (!queue.isEmpty()) {
            int left = (int) queue.pop();
            int right = queue.right;
            // a pair is stale when either side changed after it was queued
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != queue.length) {
                continue;
            }
            symbol[left] = queue.result;
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            tryAddPair(prev[left], left);
            tryAddPair(left, next[left]);
        }
        for (int i = 0; i != -1; i = next[i]) {
            if (symbol[i] < merges.vocabSize) {
                out.add(symbol[i]);
            } else {
                // not a token: llama.cpp emits the one-byte tokens among its (byte-mapped) characters
                for (int b = i; b < i + length[i]; b++) {
                    int c = bytes[b] & 0xFF;
                    if (c < 0x80 && ByteLevel.charOf(c) == c && asciiTokens[c] >= 0) {
                        out.add(asciiTokens[c]);
                    }
                }
            }
        }
    }

    private void tryAddPair(int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        long m = merges.table.get(symbol[left], symbol[right]);
        if (m < 0) {
            return;
        }
        int rank = (int) (m >>> 32);
        queue.push(((long) rank << 32) | left, right, length[left] + length[right], (int) m);
    }

    /** Writes the UTF-8 bytes of {@code text[start, end)} into {@code bytes}; returns the count. */
    private int utf8(String text, int start, int end) {
        int n = 0;
        for (int i = start; i < end; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isSurrogate((char) cp)) {
                cp = 0xFFFD; // a lone surrogate has no UTF-8 form
            }
            if (n + 4 > bytes.length) {
                grow(Math.max(bytes.length * 2, n + 4));
            }
            if (cp < 0x80) {
                bytes[n++] = (byte) cp;
            } else if (cp < 0x800) {
                bytes[n++] = (byte) (0xC0 | (cp >> 6));
                bytes[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                bytes[n++] = (byte) (0xE0 | (cp >> 12));
                bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                bytes[n++] = (byte) (0xF0 | (cp >> 18));
                bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return n;
    }

    private void grow(int capacity) {
        bytes = Arrays.copyOf(bytes, capacity);
        symbol = Arrays.copyOf(symbol, capacity);
        length = Arrays.copyOf(length, capacity);
        prev = Arrays.copyOf(prev, capacity);
        next = Arrays.copyOf(next, capacity);
    }
}
