package dev.vireo.runtime.tokenizer;

/**
 * Turns a byte stream into characters, holding back an incomplete UTF-8 sequence until its last
 * byte arrives. Ill-formed input becomes U+FFFD per "maximal subpart" (Unicode 3.9, the practice
 * of Java's and Python's decoders): an invalid byte, or a truncated but well-begun sequence, is one
 * U+FFFD. Feeding bytes one at a time therefore gives the same text as decoding them all at once.
 */
final class Utf8Accumulator {
    private static final char REPLACEMENT = '\uFFFD';

    private int codePoint; // bits gathered so far
    private int needed;    // continuation bytes still expected (0 = between characters)
    private int lower = 0x80, upper = 0xBF; // allowed range of the next continuation byte

    /** Feeds one byte, appending any character it completes (or replacements) to {@code out}. */
    void accept(int b, StringBuilder out) {
        b &= 0xFF;
        if (needed > 0) {
            if (b >= lower && b <= upper) {
                codePoint = (codePoint << 6) | (b & 0x3F);
                lower = 0x80;
                upper = 0xBF;
                if (--needed == 0) {
                    out.appendCodePoint(codePoint);
                }
                return;
            }
            // the sequence so far is a maximal subpart: one replacement, then b starts afresh
            out.append(REPLACEMENT);
            needed = 0;
            lower = 0x80;
            upper = 0xBF;
        }
        if (b < 0x80) {
            out.append((char) b);
        } else if (b >= 0xC2 && b <= 0xDF) {
            start(b & 0x1F, 1, 0x80, 0xBF);
        } else if (b >= 0xE0 && b <= 0xEF) {
            start(b & 0x0F, 2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
        } else if (b >= 0xF0 && b <= 0xF4) {
            start(b & 0x07, 3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
        } else {
            out.append(REPLACEMENT); // continuation byte without a lead, C0, C1, F5..FF
        }
    }

    private void start(int bits, int continuation, int lo, int hi) {
        codePoint = bits;
        needed = continuation;
        lower = lo;
        upper = hi;
    }

    /** Ends the stream: an unfinished sequence becomes one U+FFFD. */
    void finish(StringBuilder out) {
        if (needed > 0) {
            out.append(REPLACEMENT);
            needed = 0;
            lower = 0x80;
            upper = 0xBF;
        }
    }

    /** Whether bytes of an unfinished character are being held back. */
    boolean isPending() {
        return needed > 0;
    }
}
