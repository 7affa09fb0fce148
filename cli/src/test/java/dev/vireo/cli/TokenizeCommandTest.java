package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {
    @TempDir
    Path tmp;

    /** llama.cpp's tokenization of the golden prompt (reference/cases/stories260K/once.json). */
    @Test
    void stories260KPromptAsLlamaCppTokenizesIt() {
        Path model = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("tokenize", "-m", model.toString(), "--ids", "Once upon a time");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("1 403 407 261 378\n", r.out());
        r = CliRun.of("tokenize", "-m", model.toString(), "--ids", "--no-bos", "Once upon a time");
        assertEquals("403 407 261 378\n", r.out());
    }

    @Test
    void piecesAfterTheIdsLine() {
        Path model = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("tokenize", "-m", model.toString(), "Once upon");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("1 403 407", "     1 -> '<s>'", "   403 -> ' Once'", "   407 -> ' upon'"), lines);
    }

    /** A sample of llama.cpp's own test vectors (no BOS, special tokens not parsed), text read with --file. */
    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"})
    void llamaCppVectorsThroughTheCommandLine(String vocab) throws Exception {
        Path model = Shared.file("models/vocab/" + vocab);
        String[] inputs = Files.readString(Shared.file("models/vocab/" + vocab + ".inp"), StandardCharsets.UTF_8)
                .split("\n__ggml_vocab_test__\n", -1);
        List<String> outputs = Files.readAllLines(Shared.file("models/vocab/" + vocab + ".out"), StandardCharsets.UTF_8);
        assertEquals(outputs.size(), inputs.length - 1);
        for (int i = 0; i < outputs.size(); i += 20) { // a sample: each run builds the tokenizer anew
            Path text = tmp.resolve("case" + i + ".txt");
            Files.writeString(text, inputs[i], StandardCharsets.UTF_8);
            CliRun r = CliRun.of("tokenize", "-m", model.toString(), "--no-bos", "--ids", "--file", text.toString());
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(outputs.get(i).strip(), r.out().strip(), vocab + " case " + i + ": '" + inputs[i] + "'");
        }
    }

    @Test
    void errors() {
        Path model = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("tokenize", "-m", model.toString());
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: tokenize: give either TEXT or --file FILE"}, r.errLines());
        r = CliRun.of("tokenize", "-m", tmp.resolve("none.gguf").toString(), "x");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: -m: no such file: " + tmp.resolve("none.gguf")}, r.errLines());
        r = CliRun.of("tokenize", "-m", model.toString(), "--file", tmp.resolve("none.txt").toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: --file: no such file: " + tmp.resolve("none.txt")}, r.errLines());
    }

    @Test
    void printableEscapesWhatIsNotText() {
        assertEquals("a\\n\\xe2\\x96", TokenizeCommand.printable(new byte[] {'a', '\n', (byte) 0xe2, (byte) 0x96}));
        assertEquals("\u2581x", TokenizeCommand.printable("\u2581x".getBytes(StandardCharsets.UTF_8)));
        assertTrue(TokenizeCommand.printable(new byte[] {(byte) 0xff}).equals("\\xff"));
    }
}
