package dev.vireo.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a command talks through. The real program passes the process streams; tests pass
 * captured ones, so every command can be driven in process.
 *
 * @param in standard input (prompts, chat turns)
 * @param out standard output: only the command's result (completion, ids, report)
 * @param err standard error: load line, speed, progress and error lines
 * @param interactive whether {@code in} is a terminal (chat uses JLine line editing then)
 */
record Io(InputStream in, PrintStream out, PrintStream err, boolean interactive) {}
