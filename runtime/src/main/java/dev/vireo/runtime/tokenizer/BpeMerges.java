package dev.vireo.runtime.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The merge rules of a byte-level BPE vocabulary, prepared once at load: each of the 256 bytes as
 * a symbol id and a {@link MergeTable} from symbol-id pairs to (rank, merged symbol id).
 *
 * <p>A symbol id is the token id of the symbol's text. Merge parts that are not tokens (a broken
 * or trimmed vocabulary) get ids above the vocabulary, so that merges behave exactly as llama.cpp's
 * string-pair lookup does; such symbols are emitted through the single-character fallback.
 */
final class BpeMerges {
    final int[] byteSymbols = new int[256];
    final MergeTable table;
    final int vocabSize;

    BpeMerges(Vocabulary v, String[] merges) {
        vocabSize = v.size();
        Map<String, Integer> extra = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            byteSymbols[b] = symbolId(v, extra, String.valueOf(ByteLevel.charOf(b)));
        }
        table = new MergeTable(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int space = m.indexOf(' ', 1);
            if (space < 0) {
                continue; // llama.cpp records an ("", "") pair that can never match
            }
            String first = m.substring(0, space);
            String second = m.substring(space + 1);
            table.putIfAbsent(symbolId(v, extra, first), symbolId(v, extra, second), rank,
                    symbolId(v, extra, first + second));
        }
    }

    private static int symbolId(Vocabulary v, Map<String, Integer> extra, String text) {
        int id = v.index.get(text);
        if (id >= 0) {
            return id;
        }
        return extra.computeIfAbsent(text, t -> v.size() + extra.size());
    }
}
