package dev.vireo.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Everything the encoders and the decoder read about the tokens, fixed at load: texts, scores,
 * attributes, the text index, the special ids and flags, and each token's rendered bytes (so that
 * decoding a token allocates nothing).
 */
final class Vocabulary {
    enum Kind { SPM, BPE }

    final Kind kind;
    final String[] texts;
    final float[] scores;
    final int[] attrs;
    final TokenIndex index;
    final int bos;
    final int eos;
    final int unknown;
    final boolean addBos;
    final boolean addEos;
    /** SPM: prepend a space to text that starts a prompt or follows a special token. */
    final boolean addSpacePrefix;
    /** BPE: HF clean_up_tokenization_spaces at detokenize. */
    final boolean cleanSpaces;
    private final boolean[] endOfGeneration;
    /** The bytes of each token with special tokens rendered empty, and with them rendered as text. */
    private final byte[][] pieces;
    private final byte[][] specialPieces;
    /** Each token's text when its bytes are whole UTF-8 characters, else null (streaming fast path). */
    private final String[] pieceTexts;

    Vocabulary(Kind kind, String[] texts, float[] scores, int[] attrs, int bos, int eos, int unknown,
            boolean addBos, boolean addEos, boolean addSpacePrefix, boolean cleanSpaces, boolean[] endOfGeneration) {
        this.kind = kind;
        this.texts = texts;
        this.scores = scores;
        this.attrs = attrs;
        this.index = new TokenIndex(texts);
        this.bos = bos;
        this.eos = eos;
        this.unknown = unknown;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
        this.cleanSpaces = cleanSpaces;
        this.endOfGeneration = endOfGeneration;
        this.pieces = new byte[texts.length][];
        this.specialPieces = new byte[texts.length][];
        this.pieceTexts = new String[texts.length];
        for (int id = 0; id < texts.length; id++) {
            specialPieces[id] = TokenPieces.render(this, id);
            pieces[id] = (attrs[id] & TokenAttr.SPECIAL) != 0 ? new byte[0] : specialPieces[id];
            String text = new String(pieces[id], StandardCharsets.UTF_8);
            if (Arrays.equals(text.getBytes(StandardCharsets.UTF_8), pieces[id])) {
                pieceTexts[id] = text.isEmpty() ? "" : text;
            }
        }
    }

    int size() {
        return texts.length;
    }

    boolean has(int attrId, int bit) {
        return (attrs[attrId] & bit) != 0;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && id < endOfGeneration.length && endOfGeneration[id];
    }

    /** The shared (not copied) bytes of a token; callers must not modify them. */
    byte[] piece(int id, boolean renderSpecial) {
        checkId(id);
        return renderSpecial ? specialPieces[id] : pieces[id];
    }

    /**
     * The token's bytes as a String when they are whole UTF-8 characters (most tokens), else null;
     * lets the streaming decoder return text without allocating.
     */
    String pieceText(int id) {
        checkId(id);
        return pieceTexts[id];
    }

    void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (texts.length - 1) + ")");
        }
    }
}
