package dev.vireo.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * A progress bar on stderr. On a terminal it is one line redrawn in place with '\r' whenever the
 * percentage changes; otherwise (a log) it prints a line at every quarter so the log stays short.
 * {@link #done()} ends it.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String label;
    private final long total;
    private final LongFunction<String> format;
    private final boolean terminal;
    private int shown = -1;

    ProgressBar(PrintStream err, String label, long total, LongFunction<String> format, boolean terminal) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.format = format;
        this.terminal = terminal;
    }

    /** A bar counting bytes. */
    static ProgressBar bytes(Io io, String label, long total) {
        return new ProgressBar(io.err(), label, total, Units::bytes, io.interactive());
    }

    /** A bar counting items (e.g. tensors). */
    static ProgressBar items(Io io, String label, long total, String unit) {
        return new ProgressBar(io.err(), label, total, n -> n + " " + unit, io.interactive());
    }

    void update(long done) {
        int pct = (int) Math.min(100, done * 100 / total);
        if (pct == shown || (!terminal && pct % 25 != 0)) {
            return;
        }
        shown = pct;
        int filled = pct * WIDTH / 100;
        String line = String.format(Locale.ROOT, "%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), pct, format.apply(Math.min(done, total)), format.apply(total));
        if (terminal) {
            err.print("\r" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    void done() {
        update(total);
        if (terminal) {
            err.println();
        }
    }
}
