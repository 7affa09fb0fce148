package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.testing.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatCommandTest {
    static final Pattern SPEED = Pattern.compile("\\[(\\d+) tokens, .* tok/s \\| prompt (\\d+) tokens, .* \\| context (\\d+)/(\\d+)]");

    static Path stories() {
        return Shared.file("models/stories260K.gguf");
    }

    /** The first n greedy pieces llama.cpp generates for the golden prompt. */
    static String llamaCppGreedy(int n) throws Exception {
        JsonNode c = new ObjectMapper().readTree(Shared.file("reference/cases/stories260K/once.json").toFile());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(new String(HexFormat.of().parseHex(c.get("greedy_pieces_hex").get(i).asText()), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    @Test
    void pipedStdinGivesTwoAnswersAndPrefillsOnlyTheNewTurn() throws Exception {
        CliRun r = CliRun.withInput("Once upon a time\nThe end\n",
                "chat", "-m", stories().toString(), "--temp", "0", "-n", "16", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        List<String> answers = r.out().lines().toList();
        assertEquals(2, answers.size(), r.out());
        // A model without a template continues the text: the first answer is llama.cpp's greedy continuation.
        assertEquals(llamaCppGreedy(16), answers.get(0));
        assertTrue(!answers.get(1).isBlank());

        List<Matcher> speeds = Arrays.stream(r.errLines()).map(SPEED::matcher).filter(Matcher::matches).toList();
        assertEquals(2, speeds.size(), r.err());
        assertEquals("5", speeds.get(0).group(2), "BOS + 4 prompt tokens");
        assertEquals("21", speeds.get(0).group(3));
        int secondPrompt = Integer.parseInt(speeds.get(1).group(2));
        assertTrue(secondPrompt > 0 && secondPrompt <= 4, "only ' The end' is prefilled, not the whole text: " + secondPrompt);
        assertEquals(21 + secondPrompt + 16, Integer.parseInt(speeds.get(1).group(3)), "the cache was kept");
        assertTrue(r.err().contains("chat template: built-in plain template"), r.err());
    }

    @Test
    void batchSizeOnlyChunksThePrefill() throws Exception {
        CliRun r = CliRun.withInput("Once upon a time\n", "chat", "-m", stories().toString(), "--temp", "0", "-n", "16",
                "-t", "1", "-b", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of(llamaCppGreedy(16)), r.out().lines().toList());
        assertTrue(r.err().contains("| batch 2 |"), r.err());
    }

    @Test
    void slashCommands() throws Exception {
        String input = String.join("\n", "/help", "Once upon a time", "/stats", "/speed off", "/reset",
                "Once upon a time", "/lora", "/lora 1 0.5", "/bogus", "/exit", "never read") + "\n";
        CliRun r = CliRun.withInput(input, "chat", "-m", stories().toString(), "--temp", "0", "-n", "8", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        List<String> answers = r.out().lines().toList();
        // after /reset the same prompt gives the same greedy answer
        assertEquals(List.of(llamaCppGreedy(8), llamaCppGreedy(8)), answers);
        assertTrue(r.err().contains("/system TEXT"), "help printed: " + r.err());
        assertTrue(r.err().contains("answers 1 | generated 8 tokens"), r.err());
        assertEquals(1, Arrays.stream(r.errLines()).filter(l -> SPEED.matcher(l).matches()).count(), "/speed off: " + r.err());
        assertTrue(r.err().contains("(conversation cleared)"), r.err());
        assertTrue(r.err().contains("(no adapters"), r.err());
        assertTrue(r.err().contains("usage: /lora N SCALE"), r.err());
        assertTrue(r.err().contains("unknown command /bogus"), r.err());
    }

    @Test
    void loraScaleChangeReReadsTheConversation() {
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        String input = "Once upon a time\n/lora\n/lora 1 0\nThe end\n";
        CliRun r = CliRun.withInput(input, "chat", "-m", stories().toString(), "--lora", adapter.toString(),
                "--temp", "0", "-n", "4", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("1: stories260K-lora-r4"), r.err());
        assertTrue(r.err().contains("(adapter 1 at scale 0"), r.err());
        List<Matcher> speeds = Arrays.stream(r.errLines()).map(SPEED::matcher).filter(Matcher::matches).toList();
        assertEquals(2, speeds.size(), r.err());
        assertTrue(Integer.parseInt(speeds.get(1).group(2)) > 9, "the whole conversation is prefilled again: " + r.err());
    }

    /** A GGUF template that writes BOS itself: the prompt gets one BOS, not two, and the same greedy answer. */
    @Test
    void modelsOwnJinjaTemplateWithBos(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("templated.gguf");
        try (GgufFile f = GgufFile.open(stories())) {
            GgufWriter w = new GgufWriter().addMetadata(f.metadata());
            w.addMetadata("tokenizer.chat_template",
                    GgufValue.ofString("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"));
            f.tensors().forEach(w::addTensor);
            w.write(copy);
        }
        CliRun r = CliRun.withInput("Once upon a time\n", "chat", "-m", copy.toString(), "--temp", "0", "-n", "16", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("chat template: the model's chat template (Jinja)"), r.err());
        assertEquals(llamaCppGreedy(16) + "\n", r.out());
        Matcher speed = Arrays.stream(r.errLines()).map(SPEED::matcher).filter(Matcher::matches).findFirst().orElseThrow();
        assertEquals("5", speed.group(2), "one BOS + 4 tokens: " + r.err());
    }

    /** A template that refuses system prompts: one error line, the chat goes on without the turn. */
    @Test
    void templateRefusalIsReportedAndTheChatGoesOn(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("strict.gguf");
        try (GgufFile f = GgufFile.open(stories())) {
            GgufWriter w = new GgufWriter().addMetadata(f.metadata());
            w.addMetadata("tokenizer.chat_template", GgufValue.ofString(
                    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
                            + "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}"));
            f.tensors().forEach(w::addTensor);
            w.write(copy);
        }
        CliRun r = CliRun.withInput("Once upon a time\n/system\nOnce upon a time\n", "chat", "-m", copy.toString(),
                "-sys", "Be brief.", "--temp", "0", "-n", "16", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("vireo: the chat template refuses this conversation: System role not supported"), r.err());
        assertEquals(llamaCppGreedy(16) + "\n", r.out(), "after /system removed it, the turn works");
    }

    @Test
    void templateOverrideAndSystemPrompt() {
        CliRun r = CliRun.withInput("Hi\n", "chat", "-m", stories().toString(), "--chat-template", "chatml",
                "-sys", "Be brief.", "--temp", "0", "-n", "4", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("built-in chatml template"), r.err());
        CliRun bad = CliRun.of("chat", "-m", stories().toString(), "--chat-template", "vicuna");
        assertEquals(Vireo.EXIT_FAILURE, bad.exitCode());
        assertTrue(bad.errLines()[bad.errLines().length - 1].startsWith("vireo: unknown chat template 'vicuna'"), bad.err());
    }
}
