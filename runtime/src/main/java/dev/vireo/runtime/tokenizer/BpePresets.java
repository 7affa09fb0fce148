package dev.vireo.runtime.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * What llama.cpp does for each {@code tokenizer.ggml.pre} name of a byte-level BPE vocabulary:
 * the pre-tokenizer regexes and three switches (from {@code llama_vocab::impl::load} and
 * {@code llm_tokenizer_bpe}'s constructor, written here as data).
 *
 * <p>Names not in the table (and a missing key) use the "default" regexes. llama.cpp refuses an
 * unknown name; Vireo loads the file so that a vocabulary from a newer converter still works, and
 * warns once that its tokenization may differ from the model's own.
 *
 * @param regexes the pre-tokenizer regexes, in llama.cpp's spelling
 * @param cleanSpaces detokenize removes spaces before punctuation (HF clean_up_tokenization_spaces)
 * @param ignoreMerges a whole pre-token that is itself a vocabulary token is emitted without merging
 * @param addBos the default of {@code add_bos_token} when the key is absent
 */
record BpePresets(List<String> regexes, boolean cleanSpaces, boolean ignoreMerges, boolean addBos) {

    private static final String GPT2 =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    private static final String LLAMA3 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN35 = CONTRACTIONS
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String TEKKEN =
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT4O =
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+" + CONTRACTIONS + "?"
            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*" + CONTRACTIONS + "?"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String PORO = " ?[^(\\s|.,!?…。，、।۔،)]+";

    static final BpePresets DEFAULT = new BpePresets(
            List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"), true, false, false);

    private static final BpePresets GPT2_LIKE = new BpePresets(List.of(GPT2), true, false, false);
    private static final BpePresets STARCODER_LIKE = new BpePresets(List.of("\\p{N}", GPT2), true, false, false);
    private static final BpePresets STARCODER_NO_CLEAN = new BpePresets(List.of("\\p{N}", GPT2), false, false, false);
    private static final BpePresets LLAMA3_LIKE = new BpePresets(List.of(LLAMA3), true, true, true);
    private static final BpePresets LLAMA3_REGEX_ONLY = new BpePresets(List.of(LLAMA3), true, false, false);
    private static final BpePresets QWEN2_LIKE = new BpePresets(List.of(QWEN2), false, false, false);
    private static final BpePresets QWEN2_CLEAN = new BpePresets(List.of(QWEN2), true, false, false);

    private static final Map<String, BpePresets> BY_NAME = Map.ofEntries(
            Map.entry("default", DEFAULT),
            Map.entry("llama3", LLAMA3_LIKE),
            Map.entry("llama-v3", LLAMA3_LIKE),
            Map.entry("llama-bpe", LLAMA3_LIKE),
            Map.entry("falcon3", LLAMA3_LIKE),
            Map.entry("falcon-h1", LLAMA3_LIKE),
            Map.entry("pixtral", LLAMA3_LIKE),
            Map.entry("midm-2.0", LLAMA3_LIKE),
            Map.entry("lfm2", LLAMA3_LIKE),
            Map.entry("dbrx", LLAMA3_REGEX_ONLY),
            Map.entry("smaug-bpe", LLAMA3_REGEX_ONLY),
            Map.entry("chatglm-bpe", LLAMA3_REGEX_ONLY),
            Map.entry("glm4", LLAMA3_REGEX_ONLY),
            Map.entry("deepseek-llm", new BpePresets(List.of(
                    "[\r\n]",
                    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
                    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
                    "\\s+$",
                    "[一-龥ࠀ-一가-퟿]+",
                    "\\p{N}+"), false, false, false)),
            Map.entry("deepseek-coder", new BpePresets(List.of(
                    "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"), false, false, false)),
            Map.entry("falcon", new BpePresets(
                    List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "[0-9][0-9][0-9]"), true, false, false)),
            Map.entry("mpt", GPT2_LIKE),
            Map.entry("olmo", GPT2_LIKE),
            Map.entry("jais", GPT2_LIKE),
            Map.entry("gpt-2", GPT2_LIKE),
            Map.entry("phi-2", GPT2_LIKE),
            Map.entry("jina-es", GPT2_LIKE),
            Map.entry("jina-de", GPT2_LIKE),
            Map.entry("jina-v1-en", GPT2_LIKE),
            Map.entry("jina-v2-es", GPT2_LIKE),
            Map.entry("jina-v2-de", GPT2_LIKE),
            Map.entry("jina-v2-code", GPT2_LIKE),
            Map.entry("roberta-bpe", GPT2_LIKE),
            Map.entry("gigachat", GPT2_LIKE),
            Map.entry("exaone4", GPT2_LIKE),
            Map.entry("trillion", new BpePresets(List.of(GPT2), false, false, false)),
            Map.entry("starcoder", STARCODER_LIKE),
            Map.entry("refact", STARCODER_LIKE),
            Map.entry("codeshell", STARCODER_LIKE),
            Map.entry("exaone", STARCODER_LIKE),
            Map.entry("minerva-7b", STARCODER_LIKE),
            Map.entry("command-r", STARCODER_NO_CLEAN),
            Map.entry("smollm", STARCODER_NO_CLEAN),
            Map.entry("qwen2", QWEN2_LIKE),
            Map.entry("deepseek-r1-qwen", QWEN2_LIKE),
            Map.entry("hunyuan", QWEN2_LIKE),
            Map.entry("stablelm2", QWEN2_CLEAN),
            Map.entry("megrez", QWEN2_CLEAN),
            Map.entry("qwen35", new BpePresets(List.of(QWEN35), false, false, false)),
            Map.entry("tekken", new BpePresets(List.of(TEKKEN), false, true, true)),
            Map.entry("gpt-4o", new BpePresets(List.of(GPT4O), false, false, false)),
            Map.entry("llama4", new BpePresets(List.of(GPT4O), false, false, false)),
            Map.entry("bloom", new BpePresets(List.of(PORO), true, false, false)),
            Map.entry("gpt3-finnish", new BpePresets(List.of(PORO), true, false, false)),
            Map.entry("poro-chat", new BpePresets(List.of(PORO), false, false, false)),
            Map.entry("viking", new BpePresets(List.of(PORO, "\\p{N}"), false, false, false)));

    /** The preset of a pre-tokenizer name, or null when the name is not known. */
    static BpePresets byName(String name) {
        return BY_NAME.get(name);
    }
}
