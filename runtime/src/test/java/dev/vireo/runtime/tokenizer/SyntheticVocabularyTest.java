package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Small hand-made vocabularies where the expected ids follow by hand from llama.cpp's algorithms:
 * which pair merges first, ties, byte fallback, special tokens, metadata defaults and errors.
 */
class SyntheticVocabularyTest {

    /** An SPM vocabulary: the given tokens after <unk> <s> </s> and the 256 byte tokens. */
    private static Map<String, GgufValue> spm(Object... textScore) {
        List<String> texts = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            texts.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        for (int i = 0; i < textScore.length; i += 2) {
            texts.add((String) textScore[i]);
            types.add(1);
            scores.add(((Number) textScore[i + 1]).floatValue());
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(texts.toArray(String[]::new)));
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        m.put("tokenizer.ggml.scores", GgufValue.ofFloats(s));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInts(types.stream().mapToInt(Integer::intValue).toArray()));
        return m;
    }

    private static Tokenizer load(Map<String, GgufValue> m) {
        return Tokenizer.fromMetadata(new GgufMetadata(m));
    }

    private static int id(Tokenizer t, String text) {
        return StreamingDecoderTest.idOf(t, text);
    }

    @Test
    void spmMergesTheHighestScoringPairFirst() {
        // "abc": "ab" (score 1) and "bc" (score 2) compete; bc wins, and "abc" is not a token
        Tokenizer t = load(spm("▁", 0, "a", 0, "b", 0, "c", 0, "ab", 1, "bc", 2));
        assertArrayEquals(new int[] {id(t, "▁"), id(t, "a"), id(t, "bc")}, t.encode("abc", false, false));
    }

    @Test
    void spmTiesGoToTheLeftmostPair() {
        // "abab" with "ab" = "ba" in score: leftmost "ab" first, then the second "ab"
        Tokenizer t = load(spm("▁", 0, "a", 0, "b", 0, "ab", 1, "ba", 1));
        assertArrayEquals(new int[] {id(t, "▁"), id(t, "ab"), id(t, "ab")}, t.encode("abab", false, false));
        // a merged symbol merges again: "▁ab" (3) beats the rest once "ab" exists
        Tokenizer t2 = load(spm("▁", 0, "a", 0, "b", 0, "ab", 1, "▁ab", 3));
        assertArrayEquals(new int[] {id(t2, "▁ab")}, t2.encode("ab", false, false));
    }

    @Test
    void spmByteFallbackUsesTheUtf8BytesOfUnknownCharacters() {
        Tokenizer t = load(spm("▁", 0, "a", 0));
        // 'é' is C3 A9, '€' is E2 82 AC
        assertArrayEquals(new int[] {id(t, "▁"), id(t, "a"), id(t, "<0xC3>"), id(t, "<0xA9>"), id(t, "<0xE2>"),
                id(t, "<0x82>"), id(t, "<0xAC>")}, t.encode("aé€", false, false));
        assertEquals("aé€", t.decode(t.encode("aé€", false, false)));
    }

    @Test
    void spmMetadataDefaultsAndOverrides() {
        Map<String, GgufValue> m = spm("▁", 0, "a", 0);
        Tokenizer t = load(m);
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertArrayEquals(new int[] {1, id(t, "▁"), id(t, "a")}, t.encode("a", true, false), "add_bos defaults to true for SPM");
        m.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(false));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(true));
        m.put("tokenizer.ggml.add_space_prefix", GgufValue.ofBool(false));
        Tokenizer t2 = load(m);
        assertArrayEquals(new int[] {id(t2, "a"), 2}, t2.encode("a", true, false));
        assertEquals("a", t2.decode(new int[] {id(t2, "▁"), id(t2, "a")}).substring(1), "no space removal without the prefix");
    }

    @Test
    void specialTokensAreParsedOnlyWhenAskedButUserDefinedAlways() {
        Map<String, GgufValue> m = spm("▁", 0, "a", 0, "<", 0, ">", 0, "x", 0, "u", 0);
        String[] texts = m.get("tokenizer.ggml.tokens").value() instanceof String[] s ? s.clone() : null;
        int[] types = ((int[]) m.get("tokenizer.ggml.token_type").value()).clone();
        List<String> all = new ArrayList<>(List.of(texts));
        all.add("<x>"); // control
        all.add("<u>"); // user-defined
        int[] newTypes = java.util.Arrays.copyOf(types, types.length + 2);
        newTypes[types.length] = 3;
        newTypes[types.length + 1] = 4;
        float[] scores = java.util.Arrays.copyOf((float[]) m.get("tokenizer.ggml.scores").value(), all.size());
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(all.toArray(String[]::new)));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInts(newTypes));
        m.put("tokenizer.ggml.scores", GgufValue.ofFloats(scores));
        Tokenizer t = load(m);
        int control = id(t, "<x>"), user = id(t, "<u>");
        int sp = id(t, "▁"), a = id(t, "a"), lt = id(t, "<"), gt = id(t, ">"), x = id(t, "x");
        // parse_special: the control token is one id, and the text after it gets the leading space again
        assertArrayEquals(new int[] {sp, a, control, sp, a}, t.encode("a<x>a", false, true));
        // without it, the control token's text is ordinary text
        assertArrayEquals(new int[] {sp, a, lt, x, gt, a}, t.encode("a<x>a", false, false));
        // user-defined tokens are matched either way
        assertArrayEquals(new int[] {sp, a, user, sp, a}, t.encode("a<u>a", false, false));
        // decoding: control tokens vanish, user-defined ones show their text
        assertEquals("a<u> a", t.decode(new int[] {sp, a, control, user, sp, a}));
    }

    /** A byte-level BPE vocabulary: the 256 byte characters, then the given tokens; merges in rank order. */
    private static Map<String, GgufValue> bpe(String pre, String[] extraTokens, String... merges) {
        List<String> texts = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            texts.add(String.valueOf(ByteLevel.charOf(b)));
        }
        texts.addAll(List.of(extraTokens));
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        if (pre != null) {
            m.put("tokenizer.ggml.pre", GgufValue.ofString(pre));
        }
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(texts.toArray(String[]::new)));
        int[] types = new int[texts.size()];
        java.util.Arrays.fill(types, 1);
        m.put("tokenizer.ggml.token_type", GgufValue.ofInts(types));
        m.put("tokenizer.ggml.merges", GgufValue.ofStrings(merges));
        return m;
    }

    @Test
    void bpeMergesByRankNotByLength() {
        // "abc": rank 0 is "b c", so "a bc" (rank 2) applies, not "a b" (rank 1)
        Tokenizer t = load(bpe("gpt-2", new String[] {"ab", "bc", "abc"}, "b c", "a b", "a bc"));
        assertArrayEquals(new int[] {id(t, "abc")}, t.encode("abc", false, false));
        // "abab": "a b" merges both pairs (leftmost first); "ab ab" is not a merge
        assertArrayEquals(new int[] {id(t, "ab"), id(t, "ab")}, t.encode("abab", false, false));
        // a space is the byte character 'Ġ' and the gpt-2 regex keeps it with the next word
        Tokenizer t2 = load(bpe("gpt-2", new String[] {"Ġa"}, "Ġ a"));
        assertArrayEquals(new int[] {'x', id(t2, "Ġa")}, t2.encode("x a", false, false));
        assertEquals("x a", t2.decode(t2.encode("x a", false, false)));
    }

    @Test
    void bpeMergeOfPartsThatAreNotTokensStillHappensLikeLlamaCpp() {
        // "ab" is a merge result but not a token; "ab c" makes the token "abc" from it
        Tokenizer t = load(bpe("gpt-2", new String[] {"abc"}, "a b", "ab c"));
        assertArrayEquals(new int[] {id(t, "abc")}, t.encode("abc", false, false));
        // alone, "ab" is not a token: llama.cpp falls back to the one-byte tokens of its characters
        assertArrayEquals(new int[] {'a', 'b'}, t.encode("ab", false, false));
    }

    @Test
    void bpeIgnoreMergesTakesWholePreTokensThatAreTokens() {
        // llama3 pre-tokenizer: "abc" is a token but no merge builds it
        Tokenizer llama3 = load(bpe("llama3", new String[] {"abc", "<|begin_of_text|>"}));
        assertArrayEquals(new int[] {id(llama3, "abc")}, llama3.encode("abc", false, false));
        Tokenizer gpt2 = load(bpe("gpt-2", new String[] {"abc"}));
        assertArrayEquals(new int[] {'a', 'b', 'c'}, gpt2.encode("abc", false, false));
    }

    @Test
    void bpeDefaultsAndKnownPresets() {
        Map<String, GgufValue> m = bpe("llama3", new String[] {"<|begin_of_text|>", "<|eot_id|>"});
        m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(256));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(257));
        Tokenizer t = load(m);
        // llama3 adds BOS by default; <|eot_id|> is end-of-generation by its text
        assertArrayEquals(new int[] {256, 'a'}, t.encode("a", true, false));
        assertTrue(t.isEndOfGeneration(257));
        assertEquals(0, t.tokenBytes(257).length, "an end-of-turn token is forced to CONTROL: no text");
        assertArrayEquals(new int[] {257}, t.encode("<|eot_id|>", false, true));
        Tokenizer gpt2 = load(bpe("gpt-2", new String[] {}));
        assertArrayEquals(new int[] {'a'}, gpt2.encode("a", true, false), "gpt-2 adds no BOS by default");
    }

    @Test
    void unknownPreTokenizerFallsBackToDefault() {
        Tokenizer t = load(bpe("some-future-model", new String[] {}));
        // the default list splits digits in threes after punctuation and words: "1234" -> "123" "4"
        assertArrayEquals(new int[] {'1', '2', '3', '4'}, t.encode("1234", false, false));
        assertEquals("a 1234!", t.decode(t.encode("a 1234!", false, false)));
    }

    @Test
    void badMetadataGivesOneLineErrorsNamingTheKey() {
        Map<String, GgufValue> m = spm("a", 0);
        m.put("tokenizer.ggml.model", GgufValue.ofString("bert"));
        var e = assertThrows(IllegalArgumentException.class, () -> load(m));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model") && e.getMessage().contains("bert"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Map<String, GgufValue> noMerges = bpe("gpt-2", new String[] {});
        noMerges.remove("tokenizer.ggml.merges");
        e = assertThrows(IllegalArgumentException.class, () -> load(noMerges));
        assertTrue(e.getMessage().contains("tokenizer.ggml.merges"), e.getMessage());

        Map<String, GgufValue> shortScores = spm("a", 0);
        shortScores.put("tokenizer.ggml.scores", GgufValue.ofFloats(1f, 2f));
        e = assertThrows(IllegalArgumentException.class, () -> load(shortScores));
        assertTrue(e.getMessage().contains("tokenizer.ggml.scores"), e.getMessage());

        Map<String, GgufValue> none = new LinkedHashMap<>();
        e = assertThrows(IllegalArgumentException.class, () -> load(none));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model"), e.getMessage());

        Tokenizer t = load(spm("a", 0));
        e = assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(t.vocabSize()));
        assertTrue(e.getMessage().contains("token id"), e.getMessage());
    }

    @Test
    void outOfRangeSpecialIdsAreIgnored() {
        Map<String, GgufValue> m = spm("a", 0);
        m.put("tokenizer.ggml.padding_token_id", GgufValue.ofUInt32(-1)); // 4294967295, as stories260K has
        m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(100000));
        Tokenizer t = load(m);
        assertEquals(2, t.eosId(), "out-of-range eos keeps the default");
    }
}
