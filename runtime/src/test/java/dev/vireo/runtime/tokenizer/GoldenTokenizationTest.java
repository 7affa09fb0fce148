package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokenization and decoding checked against llama2.c and llama.cpp outputs in ../shared/reference. */
class GoldenTokenizationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** llama2.c's test.c: BOS added, dummy-prefix space, on the 32000-token Llama 2 vocabulary (two files carry it). */
    @ParameterizedTest
    @MethodSource("llama2Vocabularies")
    void llama2cVectors(String vocabFile) throws IOException {
        Tokenizer tok = TestVocabs.tokenizer(vocabFile);
        JsonNode root = JSON.readTree(Shared.file("reference/stories260K/llama2_tokenizer_vectors.json").toFile());
        int n = 0;
        for (JsonNode c : root.get("cases")) {
            String text = c.get("text").asText();
            int[] expected = ints(c.get("expected_tokens"));
            assertArrayEquals(expected, tok.encode(text, true, false), "llama2.c vector " + VocabTestVectorsTest.escape(text));
            // decoding after the BOS gives the text back: the dummy-prefix space is the one removed
            assertEquals(text, tok.decode(Arrays.copyOfRange(expected, 1, expected.length)));
            n++;
        }
        assertEquals(5, n);
    }

    static Stream<String> llama2Vocabularies() {
        return Stream.of("models/vocab/ggml-vocab-llama-spm.gguf", "models/llama-2-tiny-random.gguf");
    }

    static Stream<Path> cases() throws IOException {
        Path dir = Shared.file("reference/cases");
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    /**
     * Every llama.cpp case: the prompt tokenized with add_special=true gives prompt_tokens, each
     * greedy token's bytes (token_to_piece with special=true) are greedy_pieces_hex, and the
     * streaming decoder turns the greedy tokens into greedy_text (Python's UTF-8 "replace" decoding
     * of those bytes). The models share stories260K's 512-token vocabulary; each file is read.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void llamaCppCase(Path caseFile) throws IOException {
        JsonNode c = JSON.readTree(caseFile.toFile());
        String model = c.get("model").asText();
        String modelPath = Files.exists(Shared.root().resolve("models/" + model)) ? "models/" + model : "models/synthetic/" + model;
        Tokenizer tok = TestVocabs.tokenizer(modelPath);

        assertArrayEquals(ints(c.get("prompt_tokens")), tok.encode(c.get("prompt").asText(), true, false), "prompt_tokens");

        int[] greedy = ints(c.get("greedy_tokens"));
        JsonNode hex = c.get("greedy_pieces_hex");
        TokenDecoder decoder = tok.newDecoder();
        StringBuilder streamed = new StringBuilder();
        StringBuilder rendered = new StringBuilder();
        for (int i = 0; i < greedy.length; i++) {
            byte[] piece = tok.tokenBytes(greedy[i], true);
            assertEquals(hex.get(i).asText(), HexFormat.of().formatHex(piece), "piece of token " + greedy[i]);
            rendered.append(hex.get(i).asText());
            streamed.append(decoder.accept(greedy[i]));
        }
        streamed.append(decoder.flush());
        String expectedText = c.get("greedy_text").asText();
        if (Arrays.stream(greedy).noneMatch(id -> tok.tokenBytes(id).length != tok.tokenBytes(id, true).length)) {
            // no control token among them: the streamed text is llama.cpp's text exactly
            assertEquals(expectedText, streamed.toString(), "greedy_text");
        }
        // with control tokens rendered, the whole byte stream decodes to greedy_text
        assertEquals(expectedText, new String(HexFormat.of().parseHex(rendered), StandardCharsets.UTF_8));
    }

    /** The published llama2.c story: 256 greedy tokens after BOS decode to the README text. */
    @Test
    void stories260kGreedyStoryDecodes() throws IOException {
        Tokenizer tok = TestVocabs.tokenizer("models/stories260K.gguf");
        int[] ids = Arrays.stream(Files.readString(Shared.file("reference/stories260K/stories260K_greedy_256.tokens.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        String story = Files.readString(Shared.file("reference/stories260K/stories260K_greedy_256.txt"), StandardCharsets.UTF_8);
        assertEquals(257, ids.length);
        assertEquals(tok.bosId(), ids[0]);
        int[] generated = Arrays.copyOfRange(ids, 1, ids.length);
        String decoded = tok.decode(generated);
        assertTrue(story.startsWith("Once upon a time"), "reference text");
        assertEquals(story.strip(), decoded.strip());
        assertEquals(story.substring(0, 40), decoded.substring(0, 40)); // first token's dummy space removed
        // with the BOS first, llama.cpp spends the space removal on the (unrendered) BOS
        assertEquals(" " + decoded, tok.decode(ids));
        // streaming: the concatenation is the raw pieces, leading space included
        TokenDecoder d = tok.newDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            d.accept(id, sb);
        }
        assertEquals(" " + decoded, sb.toString());
    }

    @Test
    void stories260kSpecialIds() {
        Tokenizer tok = TestVocabs.tokenizer("models/stories260K.gguf");
        assertEquals(512, tok.vocabSize());
        assertEquals(1, tok.bosId());
        assertEquals(2, tok.eosId());
        assertTrue(tok.isEndOfGeneration(2));
        assertTrue(!tok.isEndOfGeneration(1) && !tok.isEndOfGeneration(0) && !tok.isEndOfGeneration(300));
        assertEquals("<s>", tok.tokenText(1));
        assertEquals(0, tok.tokenBytes(1).length);
        assertEquals("<s>", new String(tok.tokenBytes(1, true), StandardCharsets.UTF_8));
        assertEquals(List.of(), Arrays.stream(tok.encode("", false, false)).boxed().toList());
        assertArrayEquals(new int[] {1}, tok.encode("", true, false));
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
