package dev.vireo.cli;

import dev.vireo.runtime.TokenListener;
import java.io.PrintStream;

/**
 * Streams generated text to stdout as it comes (complete UTF-8 characters only, as the runtime
 * hands them over) and keeps it for the conversation.
 */
final class PrintingListener implements TokenListener {
    private final PrintStream out;
    private boolean endsWithNewline = true;
    private final StringBuilder text = new StringBuilder();

    PrintingListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onToken(int tokenId, String piece) {
        if (piece.isEmpty()) {
            return;
        }
        out.print(piece);
        out.flush();
        text.append(piece);
        endsWithNewline = piece.charAt(piece.length() - 1) == '\n';
    }

    /** Everything printed so far. */
    String text() {
        return text.toString();
    }

    /** Ends the output; on a terminal also the line (a pipe gets exactly the completion). */
    void finish(boolean terminal) {
        if (terminal && !endsWithNewline) {
            out.println();
        }
        out.flush();
    }
}
