package dev.vireo.runtime.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the pieces that byte-level BPE merges within, with the list of regexes that
 * llama.cpp uses for a {@code tokenizer.ggml.pre} name (see {@link BpePresets}). The regexes run in
 * sequence: the first splits the text, each later one splits every piece again; stretches that a
 * regex does not match stay pieces of their own, so nothing is dropped. Each piece is matched on
 * its own (opaque bounds): a lookahead at a piece's end sees the end of input, as in llama.cpp.
 */
final class PreTokenizer {
    private final Pattern[] patterns;

    PreTokenizer(List<String> llamaCppRegexes) {
        patterns = llamaCppRegexes.stream()
                .map(r -> Pattern.compile(toJava(r), Pattern.UNICODE_CHARACTER_CLASS))
                .toArray(Pattern[]::new);
    }

    /**
     * Rewrites a llama.cpp regex into the equivalent java.util.regex one. Java reads \p{L}, \p{N},
     * \p{P}, \p{M}, lookahead and {m,n} the same way; with UNICODE_CHARACTER_CLASS \s is Unicode
     * White_Space, which is llama.cpp's whitespace set. Two spellings change:
     * <ul>
     *   <li>{@code $}: llama.cpp (ECMAScript) matches only at the end; Java's {@code $} also matches
     *       before a final line terminator, so it becomes {@code \z}.
     *   <li>{@code ((?=[\p{L}])([^a-z]))} is llama.cpp's spelling of "a letter that is not a-z" (for
     *       std::regex, which lacks class intersection); Java's {@code [\p{L}&&[^a-z]]} says the
     *       same and avoids a recursive group loop that overflows the stack on very long words.
     * </ul>
     */
    static String toJava(String regex) {
        String r = regex
                .replace("((?=[\\p{L}])([^a-z]))", "[\\p{L}&&[^a-z]]")
                .replace("((?=[\\p{L}])([^A-Z]))", "[\\p{L}&&[^A-Z]]");
        if (r.endsWith("$") && !r.endsWith("\\$")) {
            r = r.substring(0, r.length() - 1) + "\\z";
        }
        return r;
    }

    /** Splits {@code text[start, end)} and writes the pieces to {@code out} as (start, end) pairs. */
    void split(String text, int start, int end, IntList out) {
        out.clear();
        if (start >= end) {
            return;
        }
        out.add(start);
        out.add(end);
        IntList next = new IntList(16);
        for (Pattern p : patterns) {
            Matcher m = p.matcher(text);
            next.clear();
            for (int i = 0; i < out.size(); i += 2) {
                int ps = out.get(i), pe = out.get(i + 1);
                m.region(ps, pe);
                int last = ps;
                while (m.find()) {
                    if (m.start() > last) {
                        next.add(last);
                        next.add(m.start());
                    }
                    if (m.end() > m.start()) {
                        next.add(m.start());
                        next.add(m.end());
                    }
                    last = m.end();
                }
                if (last < pe) {
                    next.add(last);
                    next.add(pe);
                }
            }
            out.clear();
            for (int i = 0; i < next.size(); i++) {
                out.add(next.get(i));
            }
        }
    }
}
