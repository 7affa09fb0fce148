package dev.vireo.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Cuts special tokens out of the text before the model-specific algorithm runs (llama.cpp's
 * {@code tokenizer_st_partition}). Candidates are the control, user-defined and unknown tokens,
 * longest (in UTF-8 bytes) first; each one in turn splits every still-raw fragment at all its
 * occurrences. The order matters: with tokens "ab" and "bcd", "abcd" becomes "a" + [bcd].
 * Without parseSpecial only user-defined tokens are candidates, as in llama.cpp and HF.
 */
final class SpecialTokenSplitter {
    /** Candidate ids, longest text first (ties by id, so the order is reproducible). */
    private final int[] candidates;
    private final String[] texts;
    private final boolean[] alwaysParsed;

    SpecialTokenSplitter(Vocabulary v) {
        texts = v.texts;
        int[] byteLength = new int[v.size()];
        candidates = IntStream.range(0, v.size())
                .filter(id -> v.has(id, TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN))
                .filter(id -> !v.texts[id].isEmpty())
                .peek(id -> byteLength[id] = v.texts[id].getBytes(StandardCharsets.UTF_8).length)
                .boxed()
                .sorted(Comparator.<Integer>comparingInt(id -> -byteLength[id]).thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
        alwaysParsed = new boolean[v.size()];
        for (int id : candidates) {
            alwaysParsed[id] = !v.has(id, TokenAttr.CONTROL | TokenAttr.UNKNOWN);
        }
    }

    /**
     * Splits {@code text} into fragments, written to {@code out} as triples (start, end, token):
     * token = -1 for raw text {@code text[start, end)}, otherwise the special token's id.
     */
    void split(String text, boolean parseSpecial, IntList out) {
        out.clear();
        if (text.isEmpty()) {
            return;
        }
        out.add(0);
        out.add(text.length());
        out.add(-1);
        IntList next = new IntList(16);
        for (int id : candidates) {
            if (!parseSpecial && !alwaysParsed[id]) {
                continue;
            }
            String t = texts[id];
            if (text.indexOf(t) < 0) {
                continue; // cheap pre-check: most candidates do not occur at all
            }
            next.clear();
            for (int f = 0; f < out.size(); f += 3) {
                int start = out.get(f), end = out.get(f + 1), token = out.get(f + 2);
                if (token >= 0) {
                    addFragment(next, start, end, token);
                    continue;
                }
                int from = start;
                while (true) {
                    int match = text.indexOf(t, from);
                    if (match < 0 || match + t.length() > end) {
                        break;
                    }
                    if (match > from) {
                        addFragment(next, from, match, -1);
                    }
                    addFragment(next, match, match + t.length(), id);
                    from = match + t.length();
                }
                if (from < end) {
                    addFragment(next, from, end, -1);
                }
            }
            out.clear();
            for (int i = 0; i < next.size(); i++) {
                out.add(next.get(i));
            }
        }
    }

    private static void addFragment(IntList list, int start, int end, int token) {
        list.add(start);
        list.add(end);
        list.add(token);
    }
}
