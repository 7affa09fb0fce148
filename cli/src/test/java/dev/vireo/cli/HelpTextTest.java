package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command's help renders cleanly. Picocli formats descriptions with String.format and, on a
 * stray '%', prints a warning straight to System.err (not to the command's stream) and shows the
 * raw text: the test watches System.err itself.
 */
class HelpTextTest {

    @ParameterizedTest(name = "vireo {0} --help")
    @ValueSource(strings = {"", "run", "chat", "bench", "info", "tokenize", "synth", "lora", "lora merge", "lora synth"})
    void helpHasNoFormatWarnings(String command) {
        String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        CliRun run;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            run = CliRun.of(args);
        } finally {
            System.setErr(saved);
        }
        String direct = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, run.exitCode(), "vireo " + command + " --help: " + run.err());
        assertFalse(direct.contains("picocli WARN"), "vireo " + command + " --help warned: " + direct);
        assertFalse((run.out() + run.err()).contains("%n"), "unformatted '%n' in vireo " + command + " --help");
    }
}
