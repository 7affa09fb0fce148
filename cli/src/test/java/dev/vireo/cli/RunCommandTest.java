package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.testing.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    Path tmp;

    static Path stories() {
        return Shared.file("models/stories260K.gguf");
    }

    /** The published llama2.c output: 256 greedy tokens from BOS. */
    @Test
    void greedyFromEmptyPromptIsThePublishedStory() throws Exception {
        String expected = Files.readString(Shared.file("reference/stories260K/stories260K_greedy_256.txt"));
        CliRun r = CliRun.of("run", "-m", stories().toString(), "--temp", "0", "-n", "256", "-p", "", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(expected, r.out());
        String[] err = r.errLines();
        assertEquals(2, err.length, r.err());
        assertTrue(err[0].matches("vireo: llama, .* parameters, F32, .* \\| context 2048 \\| batch 256 \\| 1 threads \\| "
                + "(Vector API, \\d+-bit.*|scalar fallback.*) \\| loaded in \\d+ ms"), err[0]);
        assertTrue(err[1].matches("vireo: prompt 1 tokens, .* \\| generated 256 tokens, .* tok/s \\| stop: max tokens \\| total \\d+ ms"),
                err[1]);
    }

    /** llama.cpp's greedy continuation of the golden prompt, with the prompt from -p, -f and stdin. */
    @Test
    void promptFromFlagFileAndStdinGivesLlamaCppsGreedyText() throws Exception {
        JsonNode c = new ObjectMapper().readTree(Shared.file("reference/cases/stories260K/once.json").toFile());
        StringBuilder sb = new StringBuilder();
        for (JsonNode hex : c.get("greedy_pieces_hex")) {
            sb.append(new String(HexFormat.of().parseHex(hex.asText()), StandardCharsets.UTF_8));
        }
        String expected = sb.toString();
        String prompt = c.get("prompt").asText();
        String n = Integer.toString(c.get("n_gen").asInt());

        CliRun a = CliRun.of("run", "-m", stories().toString(), "--temp", "0", "-n", n, "-t", "1", "-p", prompt);
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(expected, a.out());

        Path f = tmp.resolve("prompt.txt");
        Files.writeString(f, prompt);
        CliRun b = CliRun.of("run", "-m", stories().toString(), "--temp", "0", "-n", n, "-t", "1", "-f", f.toString());
        assertEquals(expected, b.out(), b.err());

        CliRun d = CliRun.withInput(prompt, "run", "-m", stories().toString(), "--temp", "0", "-n", n, "-t", "1");
        assertEquals(expected, d.out(), d.err());
    }

    /** -b only chunks the prompt: one-token and 2-token chunks give llama.cpp's greedy text too. */
    @Test
    void batchSizeDoesNotChangeTheText() throws Exception {
        JsonNode c = new ObjectMapper().readTree(Shared.file("reference/cases/stories260K/park.json").toFile());
        StringBuilder sb = new StringBuilder();
        for (JsonNode hex : c.get("greedy_pieces_hex")) {
            sb.append(new String(HexFormat.of().parseHex(hex.asText()), StandardCharsets.UTF_8));
        }
        String n = Integer.toString(c.get("n_gen").asInt());
        for (String b : new String[] {"1", "2", "7"}) {
            CliRun r = CliRun.of("run", "-m", stories().toString(), "--temp", "0", "-n", n, "-t", "1", "-b", b,
                    "-p", c.get("prompt").asText());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(sb.toString(), r.out(), "-b " + b);
            assertTrue(r.errLines()[0].contains("| batch " + b + " |"), r.errLines()[0]);
        }
        CliRun r = CliRun.of("run", "-m", stories().toString(), "-c", "16", "-p", "x", "-n", "1", "--batch-size", "64");
        assertTrue(r.errLines()[0].contains("| context 16 | batch 16 |"), "capped at the context: " + r.errLines()[0]);
    }

    @Test
    void sameSeedSameText() {
        String[] args = {"run", "-m", stories().toString(), "-p", "Once upon a time", "-n", "24", "-s", "7", "-t", "1", "--no-speed"};
        CliRun a = CliRun.of(args);
        CliRun b = CliRun.of(args);
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(a.out(), b.out());
        assertTrue(!a.out().isEmpty());
        assertEquals(1, a.errLines().length, "--no-speed leaves only the load line: " + a.err());
    }

    @Test
    void promptLongerThanTheContext() {
        Path small = Shared.file("models/stories260Ktok512.gguf");   // context_length 128
        String prompt = "Once upon a time there was a dog. ".repeat(30);
        CliRun r = CliRun.of("run", "-m", small.toString(), "-p", prompt, "-t", "1");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals("", r.out());
        String[] err = r.errLines();
        assertEquals(2, err.length, r.err());   // the load line, then the error
        assertTrue(err[1].startsWith("vireo: ") && err[1].contains("128"), err[1]);
    }

    @Test
    void badFlagValuesAreUsageErrors() {
        String m = stories().toString();
        assertUsage("vireo: --temp: must be 0 (greedy) or more, not -1.0", "run", "-m", m, "-p", "x", "--temp", "-1");
        assertUsage("vireo: --top-p: must be in (0, 1], not 1.5", "run", "-m", m, "-p", "x", "--top-p", "1.5");
        assertUsage("vireo: --min-p: must be in [0, 1], not -0.1", "run", "-m", m, "-p", "x", "--min-p", "-0.1");
        assertUsage("vireo: -n: must be -1 (no limit) or more, not -5", "run", "-m", m, "-p", "x", "-n", "-5");
        assertUsage("vireo: -t: threads must be 1 or more (0 = all processors), not -2", "run", "-m", m, "-p", "x", "-t", "-2");
        assertUsage("vireo: -b: batch size must be 1 or more, not 0", "run", "-m", m, "-p", "x", "-b", "0");
        assertUsage("vireo: -b: batch size must be 1 or more, not -3", "chat", "-m", m, "--batch-size", "-3");
        assertUsage("vireo: Invalid value for option '--top-k': 'many' is not an int (see 'vireo run --help')",
                "run", "-m", m, "-p", "x", "--top-k", "many");
        assertUsage("vireo: Error: --prompt=TEXT, --file=FILE are mutually exclusive (specify only one)"
                + " (see 'vireo run --help')", "run", "-m", m, "-p", "x", "-f", "y");
        assertUsage("vireo: --lora-scaled: 'a.gguf' has no scale (expected FILE:SCALE, e.g. a.gguf:0.5)",
                "run", "-m", m, "-p", "x", "--lora-scaled", "a.gguf");
    }

    private static void assertUsage(String line, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(Vireo.EXIT_USAGE, r.exitCode(), r.err());
        assertArrayEquals(new String[] {line}, r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void missingFileAndNotAGguf() throws Exception {
        CliRun r = CliRun.of("run", "-m", tmp.resolve("none.gguf").toString(), "-p", "x");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: -m: no such file: " + tmp.resolve("none.gguf")}, r.errLines());
        Path text = tmp.resolve("text.gguf");
        Files.writeString(text, "just text, no model here");
        r = CliRun.of("run", "-m", text.toString(), "-p", "x");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.errLines()[0].startsWith("vireo: not a valid GGUF file: " + text), r.err());
    }

    @Test
    void unsupportedArchitecture() throws Exception {
        Path copy = tmp.resolve("gpt2.gguf");
        try (GgufFile f = GgufFile.open(stories())) {
            GgufWriter w = new GgufWriter();
            f.metadata().asMap().forEach((k, v) ->
                    w.addMetadata(k, k.equals("general.architecture") ? GgufValue.ofString("gpt2") : v));
            f.tensors().forEach(w::addTensor);
            w.write(copy);
        }
        CliRun r = CliRun.of("run", "-m", copy.toString(), "-p", "x");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.errLines()[0].contains("unsupported architecture 'gpt2'"), r.err());
    }

    /** A weight stored in a type no kernel computes with (I32 has F32's size, so the file stays valid). */
    @Test
    void unsupportedWeightType() throws Exception {
        Path copy = tmp.resolve("i32.gguf");
        try (GgufFile f = GgufFile.open(stories())) {
            GgufWriter w = new GgufWriter().addMetadata(f.metadata());
            for (var t : f.tensors()) {
                w.addTensor(t.name(), t.name().equals("blk.0.attn_q.weight") ? dev.vireo.gguf.GgmlType.I32 : t.type(),
                        t.shape(), t.data());
            }
            w.write(copy);
        }
        CliRun r = CliRun.of("run", "-m", copy.toString(), "-p", "x", "-n", "1", "-t", "1");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode(), r.err());
        assertEquals("", r.out());
        String last = r.errLines()[r.errLines().length - 1];
        assertTrue(last.startsWith("vireo: ") && last.contains("I32"), r.err());
        assertTrue(r.errLines().length <= 2, r.err());
    }

    @Test
    void adapterThatDoesNotFit() {
        Path base = Shared.file("models/synthetic/tiny-llama-F32.gguf");
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        CliRun r = CliRun.of("run", "-m", base.toString(), "--lora", adapter.toString(), "-p", "x", "-t", "1");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        String[] err = r.errLines();
        assertEquals(2, err.length, r.err());   // the load line, then the error
        assertTrue(err[1].startsWith("vireo: ") && err[1].contains("blk.0.attn_q.weight"), err[1]);
    }

    /** The adapter at scale 0.5 gives llama.cpp's greedy text for that case. */
    @Test
    void loraScaledGivesLlamaCppsAdapterText() throws Exception {
        JsonNode c = new ObjectMapper().readTree(
                Shared.file("reference/cases/stories260K/once__stories260K-lora-r4@0.5.json").toFile());
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        StringBuilder sb = new StringBuilder();
        for (JsonNode hex : c.get("greedy_pieces_hex")) {
            sb.append(new String(HexFormat.of().parseHex(hex.asText()), StandardCharsets.UTF_8));
        }
        CliRun r = CliRun.of("run", "-m", stories().toString(), "--lora-scaled", adapter + ":0.5", "--temp", "0",
                "-n", Integer.toString(c.get("n_gen").asInt()), "-t", "1", "-p", c.get("prompt").asText());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(sb.toString(), r.out());
    }
}
