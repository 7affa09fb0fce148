package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pre-tokenizer splits for the regex lists of vocabularies whose .gguf is not in ../shared (Llama 3,
 * Qwen 2). Expected pieces follow from the HF regexes (and TOKENIZERS.md's examples: Llama 3
 * "3333333" -> 333 333 3, "   Hello" -> "  " " Hello"; Qwen 2 splits digits one by one).
 */
class PreTokenizerTest {

    private static List<String> split(String preName, String text) {
        PreTokenizer p = new PreTokenizer(BpePresets.byName(preName).regexes());
        IntList out = new IntList(8);
        p.split(text, 0, text.length(), out);
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < out.size(); i += 2) {
            pieces.add(text.substring(out.get(i), out.get(i + 1)));
        }
        assertEquals(text, String.join("", pieces), "pieces cover the text");
        return pieces;
    }

    @Test
    void llama3() {
        assertEquals(List.of("Hello", " world"), split("llama-bpe", "Hello world"));
        assertEquals(List.of("  ", " Hello"), split("llama-bpe", "   Hello"));
        assertEquals(List.of("333", "333", "3"), split("llama-bpe", "3333333"));
        // contractions are case-insensitive in Llama 3 (HF's (?i:...))
        assertEquals(List.of("I", "'VE", " been", " '", "told"), split("llama-bpe", "I'VE been 'told"));
        // one non-letter may lead a word; punctuation keeps trailing newlines; newline runs are pieces
        assertEquals(List.of("(hello", "!\n\n", "  ", " x"), split("llama-bpe", "(hello!\n\n   x"));
        assertEquals(List.of("a", " \n\n", "b"), split("llama-bpe", "a \n\nb"));
        assertEquals(List.of("x", "   "), split("llama-bpe", "x   "));
        // emoji are symbols (So), neither letters nor numbers: one punctuation-like run
        assertEquals(List.of("🦙🦙", " ok"), split("llama-bpe", "🦙🦙 ok"));
    }

    @Test
    void qwen2SplitsEveryDigit() {
        assertEquals(List.of("3", "3", "3", "3"), split("qwen2", "3333"));
        assertEquals(List.of("Hello", " world"), split("qwen2", "Hello world"));
        assertEquals(List.of("版本", "1", ".", "2"), split("qwen2", "版本1.2"));
    }

    @Test
    void gpt2() {
        assertEquals(List.of("  ", " Hello"), split("gpt-2", "   Hello"));
        // gpt-2 contractions are case-sensitive: "'VE" is punctuation + letters
        assertEquals(List.of("I", "'", "VE", "'ve"), split("gpt-2", "I'VE've"));
        assertEquals(List.of("\t", "x"), split("gpt-2", "\tx")); // a lone whitespace before a word stays a piece
        assertEquals(List.of(" 123", " 4567"), split("gpt-2", " 123 4567"));
    }

    @Test
    void deepseekCoderAndDefaultRunSeveralRegexesInSequence() {
        assertEquals(List.of("\n", "def", " f", "(", "x", "):", "\n", " ", " return", " x", "1", "2"),
                split("deepseek-coder", "\ndef f(x):\n  return x12"));
        // default: punctuation runs first, then gpt-2, then numbers, then threes of ASCII digits
        assertEquals(List.of("a", " ", "123", "45", "!?"), split("default", "a 12345!?"));
    }

    @Test
    void dollarMeansEndOfPieceOnly() {
        assertEquals("\\s+\\z", PreTokenizer.toJava("\\s+$"));
        assertEquals("[\\p{L}&&[^a-z]]*", PreTokenizer.toJava("((?=[\\p{L}])([^a-z]))*"));
    }

    @Test
    void longWordsDoNotOverflowTheRegexStack() {
        String word = "abc".repeat(50_000);
        assertEquals(1, split("tekken", word).size());
        assertEquals(1, split("gpt-4o", word).size());
        assertEquals(1, split("llama-bpe", word).size());
    }
}
