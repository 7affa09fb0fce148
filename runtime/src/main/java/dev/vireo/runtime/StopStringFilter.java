package dev.vireo.runtime;

import java.util.List;

/**
 * Streams generated text while watching for stop strings: text that might be the beginning of a
 * stop string is held back until it is clear either way, so a stop string is never emitted, even
 * when it spans several tokens.
 */
final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    StopStringFilter(List<String> stops) {
        this.stops = stops;
    }

    /** True once a stop string has appeared; later input is ignored. */
    boolean matched() {
        return matched;
    }

    /**
     * Takes the next piece of text and returns what can be emitted now: everything before a
     * stop string, or everything except a tail that could still grow into one.
     */
    String accept(String piece) {
        if (matched) {
            return "";
        }
        if (stops.isEmpty()) {
            return piece;
        }
        held.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            matched = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            keep = Math.max(keep, longestSuffixThatStarts(s));
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Length of the longest proper prefix of {@code s} that {@link #held} ends with. */
    private int longestSuffixThatStarts(String s) {
        for (int len = Math.min(s.length() - 1, held.length()); len > 0; len--) {
            if (endsWith(s, len)) {
                return len;
            }
        }
        return 0;
    }

    private boolean endsWith(String s, int len) {
        int from = held.length() - len;
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The text still held back (at the end of a generation that no stop string ended). */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
