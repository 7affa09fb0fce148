package dev.vireo.runtime.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece-style encoding of one raw fragment, as llama.cpp's {@code llm_tokenizer_spm}:
 * start from one symbol per character, repeatedly merge the adjacent pair whose concatenation is
 * the vocabulary token with the highest score (ties: leftmost), and emit characters that never
 * became tokens as byte-fallback tokens {@code <0xNN>}.
 *
 * <p>One instance per encode call (it keeps scratch arrays); the vocabulary is shared.
 */
final class SpmEncoder {
    private final Vocabulary vocab;
    private final int[] byteTokens;
    private final MergeQueue queue = new MergeQueue();
    // symbols: start offset (chars) in the text, length in chars (0 = merged away), neighbours
    private int[] start = new int[64];
    private int[] length = new int[64];
    private int[] prev = new int[64];
    private int[] next = new int[64];
    private String text;

    SpmEncoder(Vocabulary vocab, int[] byteTokens) {
        this.vocab = vocab;
        this.byteTokens = byteTokens;
    }

    /**
     * The ids of each byte 0..255 for byte fallback: {@code <0xNN>}, else the one-character token
     * (ASCII only), else the unknown token, else -1.
     */
    static int[] byteTokens(Vocabulary v) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = v.index.get(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = v.index.get(String.valueOf((char) b));
            }
            ids[b] = id >= 0 ? id : v.unknown;
        }
        return ids;
    }

    /** Encodes {@code text} (spaces already replaced by U+2581) and appends the ids to {@code out}. */
    void encode(String text, IntList out) {
        this.text = text;
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int len = Character.charCount(text.codePointAt(i));
            ensureCapacity(n + 1);
            start[n] = i;
            length[n] = len;
            prev[n] = n - 1;
            next[n] = i + len == text.length() ? -1 : n + 1;
            n++;
            i += len;
        }
        if (n == 0) {
            return;
        }
        queue.clear();
        for (int i = 1; i < n; i++) {
            tryAddPair(i - 1, i);
        }
        while (!queue.isEmpty()) {
            int left = (int) queue.pop();
            int right = queue.right;
            // skip pairs whose symbols were merged since they were queued
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != queue.length) {
                continue;
            }
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
            int id = vocab.index.get(text, start[i], start[i] + length[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                byteFallback(start[i], start[i] + length[i], out);
            }
        }
    }

    private void tryAddPair(int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        int s = start[left];
        int e = start[right] + length[right];
        int id = vocab.index.get(text, s, e);
        if (id < 0) {
            return;
        }
        float score = vocab.scores[id];
        if (Float.isNaN(score)) {
            return;
        }
        queue.push(priority(score, left), right, e - s, id);
    }

    /** Higher score first, then the leftmost pair: a smaller key pops first. */
    private static long priority(float score, int left) {
        if (score == 0f) {
            score = 0f; // -0.0 and 0.0 are the same score
        }
        int bits = Float.floatToIntBits(score);
        int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF); // orders like the float
        long descending = -(long) ascending;
        return (descending << 32) | left;
    }

    private void byteFallback(int s, int e, IntList out) {
        byte[] bytes = text.substring(s, e).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int id = byteTokens[b & 0xFF];
            if (id < 0) {
                throw new IllegalArgumentException("the vocabulary has no byte-fallback token <0x"
                        + String.format("%02X", b & 0xFF) + "> and no unknown token (tokenizer.ggml.tokens)");
            }
            out.add(id);
        }
    }

    private void ensureCapacity(int n) {
        if (n > start.length) {
            int c = Math.max(n, start.length * 2);
            start = java.util.Arrays.copyOf(start, c);
            length = java.util.Arrays.copyOf(length, c);
            prev = java.util.Arrays.copyOf(prev, c);
            next = java.util.Arrays.copyOf(next, c);
        }
    }
}
