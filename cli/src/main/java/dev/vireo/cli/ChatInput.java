package dev.vireo.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** Where chat turns come from: a terminal with line editing and history, or a pipe. */
interface ChatInput extends AutoCloseable {
    /** Ctrl-C at the prompt: the line is dropped, the chat goes on. */
    final class Interrupted extends Exception {
        Interrupted() {
            super(null, null, false, false);
        }
    }

    /** The next line, or null at the end of input (Ctrl-D, end of the pipe). */
    String readLine() throws IOException, Interrupted;

    /** Runs {@code action} on Ctrl-C while no line is being read (i.e. while answering). */
    void onInterrupt(Runnable action);

    @Override
    void close() throws IOException;

    /** JLine on the process's terminal: editing, history in ~/.vireo_history, Ctrl-C handling. */
    static ChatInput terminal() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).build();
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("vireo")
                .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".vireo_history"))
                .build();
        return new ChatInput() {
            @Override
            public String readLine() throws Interrupted {
                try {
                    return reader.readLine("> ");
                } catch (UserInterruptException e) {
                    throw new Interrupted();
                } catch (EndOfFileException e) {
                    return null;
                }
            }

            @Override
            public void onInterrupt(Runnable action) {
                terminal.handle(Terminal.Signal.INT, s -> action.run());
            }

            @Override
            public void close() throws IOException {
                terminal.close();
            }
        };
    }

    /** Plain lines from a stream (a pipe, a file, a test): no prompt, no echo. */
    static ChatInput plain(java.io.InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new ChatInput() {
            @Override
            public String readLine() throws IOException {
                return reader.readLine();
            }

            @Override
            public void onInterrupt(Runnable action) {
                // No terminal: Ctrl-C ends the process as usual.
            }

            @Override
            public void close() {
                // The stream belongs to the caller.
            }
        };
    }
}
