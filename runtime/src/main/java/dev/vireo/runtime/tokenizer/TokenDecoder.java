package dev.vireo.runtime.tokenizer;

/**
 * Turns generated token ids into text as they come, never splitting a UTF-8 character: a character
 * whose bytes span several tokens (byte-fallback tokens, or BPE tokens cut inside a character) is
 * returned with the token that completes it. Control tokens give no text. One decoder per stream;
 * not thread-safe. The concatenation of everything returned equals the UTF-8 decoding of all the
 * tokens' bytes (invalid bytes as U+FFFD).
 */
public final class TokenDecoder {
    private final Vocabulary vocab;
    private final Utf8Accumulator utf8 = new Utf8Accumulator();
    private final StringBuilder scratch = new StringBuilder(32);

    TokenDecoder(Vocabulary vocab) {
        this.vocab = vocab;
    }

    /**
     * The complete characters this token finishes (possibly ""). When no character is pending and
     * the token is whole characters, the String prepared at load is returned: no allocation.
     */
    public String accept(int id) {
        if (!utf8.isPending()) {
            String whole = vocab.pieceText(id);
            if (whole != null) {
                return whole;
            }
        }
        scratch.setLength(0);
        accept(id, scratch);
        return scratch.isEmpty() ? "" : scratch.toString();
    }

    /**
     * Appends the complete characters this token finishes to {@code out}; allocates nothing, for
     * callers that collect text in their own buffer.
     */
    public void accept(int id, StringBuilder out) {
        for (byte b : vocab.piece(id, false)) {
            utf8.accept(b, out);
        }
    }

    /** Ends the stream: returns U+FFFD if a character was left unfinished, else "". */
    public String flush() {
        if (!utf8.isPending()) {
            return "";
        }
        scratch.setLength(0);
        utf8.finish(scratch);
        return scratch.toString();
    }
}
