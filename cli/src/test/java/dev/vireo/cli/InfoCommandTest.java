package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void textReportOfStories260K() {
        Path model = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("info", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("architecture:  llama"), r.out());
        assertTrue(r.out().contains("metadata (19 keys):"), r.out());
        assertTrue(r.out().contains("tensors (48):"), r.out());
        assertTrue(r.out().contains("vocabulary:    512 tokens (llama)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+embedding_length\\s+64")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+block_count\\s+5")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+attention\\.head_count\\s+8")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+attention\\.head_count_kv\\s+4")), r.out());
        // tensor table row: name, type, shape, bytes (64 x 512 F32 = 131072 bytes)
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+token_embd\\.weight\\s+F32\\s+\\[64, 512]\\s+131072")),
                r.out());
        // long arrays are summarised, not dumped
        assertTrue(r.out().contains("... (512 items)]"), r.out());
        assertTrue(r.out().contains("[\"<unk>\", \"<s>\", \"</s>\""), r.out());
        // unsigned values shown unsigned
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+tokenizer\\.ggml\\.padding_token_id\\s+u32\\s+4294967295")));
        assertTrue(r.out().contains("1.0E-5"), "epsilon shown as the float it is: " + r.out());
        assertEquals(0, r.errLines().length, r.err());
    }

    @Test
    void jsonReportOfStories260K() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("info", "--json", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3, j.get("version").asInt());
        assertEquals("llama", j.get("architecture").asText());
        assertEquals(1185376, j.get("file_size").asLong());
        assertEquals(19, j.get("metadata").size());
        assertEquals(48, j.get("tensors").size());
        assertEquals(48, j.get("totals").get("tensors").asInt());
        assertEquals(64, j.get("hyperparameters").get("embedding_length").asInt());
        assertEquals(4, j.get("hyperparameters").get("attention.head_count_kv").asInt());
        assertEquals(512, j.get("metadata").get("tokenizer.ggml.tokens").get("count").asInt());
        assertEquals("<unk>", j.get("metadata").get("tokenizer.ggml.tokens").get("first").get(0).asText());
        assertEquals(4294967295L, j.get("metadata").get("tokenizer.ggml.padding_token_id").asLong());

        // totals equal the sum over the tensor table (every tensor is F32: 4 bytes per weight)
        long params = 0;
        long bytes = 0;
        for (JsonNode t : j.get("tensors")) {
            long n = 1;
            for (JsonNode d : t.get("shape")) {
                n *= d.asLong();
            }
            params += n;
            bytes += t.get("bytes").asLong();
        }
        assertEquals(params, j.get("totals").get("parameters").asLong());
        assertEquals(bytes, j.get("totals").get("bytes").asLong());
        assertEquals(4 * params, bytes);
        assertEquals(32.0, j.get("totals").get("bits_per_weight").asDouble(), 1e-9);
        JsonNode first = j.get("tensors").get(0);
        assertEquals("token_embd.weight", first.get("name").asText());
        assertEquals(131072, first.get("bytes").asLong());
    }

    /** The vocab-only files (no tensors, header to the end of the file) and their published sizes. */
    @ParameterizedTest
    @CsvSource({"ggml-vocab-llama-spm.gguf, 32000, llama", "ggml-vocab-phi-3.gguf, 32064, llama",
        "ggml-vocab-gpt-2.gguf, 50257, gpt2", "ggml-vocab-deepseek-coder.gguf, 32256, gpt2"})
    void vocabOnlyFiles(String name, int tokens, String model) {
        CliRun r = CliRun.of("info", Shared.file("models/vocab/" + name).toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("vocabulary:    " + tokens + " tokens (" + model + ")"), r.out());
        assertTrue(r.out().contains("tensors (0):"), r.out());
        assertTrue(r.out().contains("weight type:   (no tensors)"), r.out());
        assertTrue(r.out().contains("totals:        0 parameters"), r.out());
    }

    @Test
    void truncatedCopyGivesOneLineError() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        byte[] all = Files.readAllBytes(model);
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(all, 5000)); // inside the metadata
        CliRun r = CliRun.of("info", cut.toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals("", r.out());
        String[] lines = r.errLines();
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("vireo: not a valid GGUF file: " + cut), lines[0]);
    }

    @Test
    void notAGgufFile() throws Exception {
        Path text = tmp.resolve("notes.gguf");
        Files.writeString(text, "hello, this is not a model at all, just some text\n");
        CliRun r = CliRun.of("info", text.toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.errLines()[0].startsWith("vireo: not a valid GGUF file: "), r.err());
    }

    @Test
    void missingFile() {
        CliRun r = CliRun.of("info", tmp.resolve("nope.gguf").toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: FILE: no such file: " + tmp.resolve("nope.gguf")}, r.errLines());
    }

    @Test
    void verboseShowsTheStackTrace() {
        CliRun r = CliRun.of("info", "--verbose", tmp.resolve("nope.gguf").toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertTrue(r.errLines().length > 2, r.err());
        assertTrue(r.err().contains("at dev.vireo.cli."), r.err());
    }

    @Test
    void unknownFlagIsAUsageError() {
        CliRun r = CliRun.of("info", "--bogus", "x.gguf");
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.errLines()[0].startsWith("vireo: Unknown option: '--bogus'"), r.err());
    }

    @Test
    void versionAndHelp() {
        CliRun v = CliRun.of("--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.out().startsWith("vireo 0."), v.out());
        CliRun h = CliRun.of("info", "--help");
        assertEquals(0, h.exitCode());
        assertTrue(h.out().contains("--json"), h.out());
    }
}
