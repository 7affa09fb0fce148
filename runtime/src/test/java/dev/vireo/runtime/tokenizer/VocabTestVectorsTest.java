package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama.cpp's tokenizer test vectors (tests/test-tokenizer-0): every input of the .inp file must
 * give exactly the ids of the matching .out line, with add_special = false, parse_special = false.
 */
class VocabTestVectorsTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "deepseek-coder"})
    void allVectorsMatchLlamaCpp(String name) throws IOException {
        String base = "models/vocab/ggml-vocab-" + name + ".gguf";
        Tokenizer tok = TestVocabs.tokenizer(base);
        String inp = Files.readString(Shared.file(base + ".inp"), StandardCharsets.UTF_8);
        List<String> outLines = Files.readAllLines(Shared.file(base + ".out"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        assertEquals("", inputs.removeLast(), "the .inp file ends with a separator");
        assertEquals(46, inputs.size(), "test inputs in " + base + ".inp");
        assertEquals(inputs.size(), outLines.size(), "one .out line per input");

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] expected = outLines.get(i).isBlank() ? new int[0]
                    : Arrays.stream(outLines.get(i).trim().split(" +")).mapToInt(Integer::parseInt).toArray();
            int[] actual = tok.encode(inputs.get(i), false, false);
            if (!Arrays.equals(expected, actual)) {
                failures.add("#" + i + " " + escape(inputs.get(i)) + "\n   expected " + Arrays.toString(expected)
                        + "\n   actual   " + Arrays.toString(actual));
            }
        }
        System.out.println(name + ": " + (inputs.size() - failures.size()) + "/" + inputs.size() + " llama.cpp vectors");
        assertTrue(failures.isEmpty(), failures.size() + " of " + inputs.size() + " differ:\n" + String.join("\n", failures));
    }

    static String escape(String s) {
        String e = s.replace("\n", "\\n").replace("\t", "\\t");
        return "'" + (e.length() > 80 ? e.substring(0, 80) + "..." : e) + "'";
    }
}
