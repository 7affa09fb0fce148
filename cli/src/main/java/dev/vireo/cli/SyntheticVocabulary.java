package dev.vireo.cli;

import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A SentencePiece ("llama") vocabulary of any size, made in code: the three control tokens, the
 * 256 byte-fallback tokens (so any text can be encoded), then word pieces of growing length, with
 * and without the "▁" word-start mark. Scores fall with the index, so shorter, commoner pieces
 * merge first. The same size always gives the same vocabulary.
 */
final class SyntheticVocabulary {
    static final String WORD_START = "\u2581";
    /** ggml token types. */
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int BYTE = 6;
    /** Letters in rough English frequency order, so the early (high-score) pieces are the common ones. */
    private static final String LETTERS = "etaoinshrdlcumwfgypbvkjxqz";
    private static final String SINGLES = LETTERS + LETTERS.toUpperCase() + "0123456789.,!?'\"-:;()";

    private SyntheticVocabulary() {}

    /** Smallest size: control tokens, bytes and the single characters. */
    static int minimumSize() {
        return 3 + 256 + 1 + 2 * SINGLES.length();
    }

    static List<String> pieces(int size) {
        if (size < minimumSize()) {
            throw new IllegalArgumentException("a synthetic vocabulary needs at least " + minimumSize() + " tokens, not " + size);
        }
        Set<String> out = new LinkedHashSet<>(size * 2);
        out.add("<unk>");
        out.add("<s>");
        out.add("</s>");
        for (int b = 0; b < 256; b++) {
            out.add(String.format("<0x%02X>", b));
        }
        out.add(WORD_START);
        for (char c : SINGLES.toCharArray()) {
            out.add(WORD_START + c);
            out.add(String.valueOf(c));
        }
        // Pieces of 2, 3, ... lowercase letters: "▁th", "th", "▁the", ... until the size is reached.
        for (int len = 2; out.size() < size; len++) {
            int[] digits = new int[len];
            do {
                StringBuilder sb = new StringBuilder(len);
                for (int d : digits) {
                    sb.append(LETTERS.charAt(d));
                }
                String piece = sb.toString();
                out.add(WORD_START + piece);
                if (out.size() < size) {
                    out.add(piece);
                }
            } while (out.size() < size && next(digits));
        }
        List<String> list = new ArrayList<>(out);
        return list.subList(0, size);
    }

    /** Odometer step over letter indices; false after the last combination. */
    private static boolean next(int[] digits) {
        for (int i = digits.length - 1; i >= 0; i--) {
            if (++digits[i] < LETTERS.length()) {
                return true;
            }
            digits[i] = 0;
        }
        return false;
    }

    /** Adds the tokenizer keys (model, tokens, scores, types, special ids) to a GGUF writer. */
    static void addTo(GgufWriter w, int size) {
        List<String> pieces = pieces(size);
        float[] scores = new float[size];
        int[] types = new int[size];
        for (int i = 0; i < size; i++) {
            types[i] = i == 0 ? UNKNOWN : i < 3 ? CONTROL : i < 259 ? BYTE : NORMAL;
            scores[i] = i < 259 ? 0f : -(i - 259);
        }
        w.addMetadata("tokenizer.ggml.model", GgufValue.ofString("llama"));
        w.addMetadata("tokenizer.ggml.tokens", GgufValue.ofStrings(pieces.toArray(String[]::new)));
        w.addMetadata("tokenizer.ggml.scores", GgufValue.ofFloats(scores));
        w.addMetadata("tokenizer.ggml.token_type", GgufValue.ofInts(types));
        w.addMetadata("tokenizer.ggml.unknown_token_id", GgufValue.ofUInt32(0));
        w.addMetadata("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(1));
        w.addMetadata("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(2));
        w.addMetadata("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        w.addMetadata("tokenizer.ggml.add_eos_token", GgufValue.ofBool(false));
    }
}
