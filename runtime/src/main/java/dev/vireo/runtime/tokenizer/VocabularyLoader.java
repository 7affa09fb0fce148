package dev.vireo.runtime.tokenizer;

import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufValueType;
import java.util.Set;

/**
 * Reads the {@code tokenizer.*} keys of a GGUF file the way llama.cpp's {@code llama_vocab::load}
 * does: defaults per tokenizer family, special ids (out-of-range ids ignored), add_bos/add_eos,
 * and the post-load fix-ups (end-of-generation tokens found by their text and forced to CONTROL).
 */
final class VocabularyLoader {
    private static final System.Logger LOG = System.getLogger(VocabularyLoader.class.getName());
    private static final String PREFIX = "tokenizer.ggml.";

    /** Texts that make a token an end-of-turn token (llama.cpp's auto-detected EOT). */
    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Texts that end generation (llama.cpp's EOG set, besides eos/eot/eom and FIM pad/rep/sep). */
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
            "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
            "<eos>", "</s>");
    private static final Set<String> FIM_EOG_TEXTS = Set.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>");
    /** gpt-oss: tokens llama.cpp always renders (it turns them into USER_DEFINED). */
    private static final Set<String> ALWAYS_RENDERED = Set.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>");

    private VocabularyLoader() {}

    static Tokenizer load(GgufMetadata m) {
        String model = m.findString(PREFIX + "model").orElseThrow(
                () -> new IllegalArgumentException("metadata key 'tokenizer.ggml.model' is missing: the file has no tokenizer"));
        Vocabulary.Kind kind = switch (model) {
            case "llama" -> Vocabulary.Kind.SPM;
            case "gpt2" -> Vocabulary.Kind.BPE;
            default -> throw new IllegalArgumentException("unsupported tokenizer.ggml.model '" + model + "' (supported: llama, gpt2)");
        };
        if (!m.has(PREFIX + "tokens")) {
            throw new IllegalArgumentException("metadata key 'tokenizer.ggml.tokens' is missing");
        }
        String[] texts = m.getStringArray(PREFIX + "tokens");
        int n = texts.length;
        if (n == 0) {
            throw new IllegalArgumentException("tokenizer.ggml.tokens is empty");
        }
        float[] scores = scores(m, n);
        int[] attrs = attributes(m, n);

        BpePresets preset = null;
        boolean addBos;
        boolean addSpacePrefix;
        boolean cleanSpaces;
        int bos, eos, unknown;
        if (kind == Vocabulary.Kind.SPM) {
            bos = 1;
            eos = 2;
            unknown = 0;
            addBos = true;
            addSpacePrefix = true;
            cleanSpaces = false;
        } else {
            String pre = m.findString(PREFIX + "pre").orElse("default");
            preset = BpePresets.byName(pre);
            if (preset == null) {
                LOG.log(System.Logger.Level.WARNING, "tokenizer.ggml.pre '" + pre
                        + "' is not known: using the default pre-tokenizer; tokenization may differ from the model's own");
                preset = BpePresets.DEFAULT;
            }
            bos = pre.equals("chatglm-bpe") || pre.equals("glm4") ? -1 : 11;
            eos = 11;
            unknown = -1;
            addBos = preset.addBos();
            addSpacePrefix = false;
            cleanSpaces = preset.cleanSpaces();
        }
        addSpacePrefix = m.getBool(PREFIX + "add_space_prefix", addSpacePrefix);

        bos = specialId(m, "bos_token_id", bos, n);
        eos = specialId(m, "eos_token_id", eos, n);
        unknown = specialId(m, "unknown_token_id", unknown, n);
        int eot = specialId(m, "eot_token_id", -1, n);
        int eom = specialId(m, "eom_token_id", -1, n);
        addBos = m.getBool(PREFIX + "add_bos_token", addBos);
        boolean addEos = m.getBool(PREFIX + "add_eos_token", false);
        if (addBos && bos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && eos < 0) {
            throw new IllegalArgumentException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
        }

        int[] fimEnds = {specialId(m, "fim_pad_token_id", -1, n), specialId(m, "fim_rep_token_id", -1, n),
                specialId(m, "fim_sep_token_id", -1, n)};
        boolean[] eog = endOfGeneration(texts, attrs, eos, eot, eom, fimEnds);
        Vocabulary vocab = new Vocabulary(kind, texts, scores, attrs, bos, eos, unknown,
                addBos, addEos, addSpacePrefix, cleanSpaces, eog);
        if (kind == Vocabulary.Kind.SPM) {
            return new VocabTokenizer(vocab);
        }
        if (!m.has(PREFIX + "merges")) {
            throw new IllegalArgumentException("metadata key 'tokenizer.ggml.merges' is missing (a gpt2 tokenizer needs its merges)");
        }
        BpeMerges merges = new BpeMerges(vocab, m.getStringArray(PREFIX + "merges"));
        return new VocabTokenizer(vocab, merges, new PreTokenizer(preset.regexes()), preset.ignoreMerges());
    }

    private static float[] scores(GgufMetadata m, int n) {
        String key = PREFIX + "scores";
        float[] scores = new float[n];
        GgufValue v = m.find(key).orElse(null);
        if (v == null) {
            return scores;
        }
        float[] given;
        if (v.type() == GgufValueType.ARRAY && !(v.value() instanceof float[]) && !(v.value() instanceof double[])) {
            int[] ints = m.getIntArray(key);
            given = new float[ints.length];
            for (int i = 0; i < ints.length; i++) {
                given[i] = ints[i];
            }
        } else {
            given = m.getFloatArray(key);
        }
        if (given.length < n) {
            throw new IllegalArgumentException(key + " has " + given.length + " entries for " + n + " tokens");
        }
        System.arraycopy(given, 0, scores, 0, n);
        return scores;
    }

    private static int[] attributes(GgufMetadata m, int n) {
        String key = PREFIX + "token_type";
        int[] attrs = new int[n];
        if (!m.has(key)) {
            java.util.Arrays.fill(attrs, TokenAttr.NORMAL);
            return attrs;
        }
        int[] types = m.getIntArray(key);
        if (types.length < n) {
            throw new IllegalArgumentException(key + " has " + types.length + " entries for " + n + " tokens");
        }
        for (int i = 0; i < n; i++) {
            attrs[i] = TokenAttr.fromTokenType(types[i]);
        }
        return attrs;
    }

    /** A special id from its key; a missing key keeps the default, an out-of-range one is ignored like llama.cpp. */
    private static int specialId(GgufMetadata m, String name, int defaultId, int n) {
        int id = defaultId >= n ? -1 : defaultId;
        String key = PREFIX + name;
        if (!m.has(key)) {
            return id;
        }
        long v = m.getLong(key);
        if (v < 0 || v >= n) {
            LOG.log(System.Logger.Level.DEBUG, key + " = " + v + " is outside the vocabulary; using " + id);
            return id;
        }
        return (int) v;
    }

    /**
     * llama.cpp's end-of-generation set: tokens with an end-of-turn text (forced to CONTROL, so they
     * are neither rendered nor parsed as text by default), FIM pad/repo/separator tokens (from their
     * keys, or by their text when no key names them), and the eos, eot and eom ids. Also applies the gpt-oss fix-ups that depend on the same texts.
     */
    private static boolean[] endOfGeneration(String[] texts, int[] attrs, int eos, int eot, int eom, int[] fimEnds) {
        boolean[] eog = new boolean[texts.length];
        int detectedEot = -1;
        int endId = -1;
        boolean hasReturn = false, hasCall = false;
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            if (eot < 0 && detectedEot < 0 && EOT_TEXTS.contains(t)) {
                detectedEot = id;
                attrs[id] |= TokenAttr.CONTROL;
            }
            if (t.equals("<|eom_id|>")) {
                attrs[id] |= TokenAttr.CONTROL;
            }
            if (FIM_EOG_TEXTS.contains(t) && fimEnds[0] < 0 && fimEnds[1] < 0 && fimEnds[2] < 0) {
                eog[id] = true; // found by text only when the file names none of them
            }
            if (EOG_TEXTS.contains(t)) {
                eog[id] = true;
                attrs[id] |= TokenAttr.CONTROL;
                hasReturn |= t.equals("<|return|>");
                hasCall |= t.equals("<|call|>");
                if (t.equals("<|end|>")) {
                    endId = id;
                }
            }
            if (ALWAYS_RENDERED.contains(t)) {
                attrs[id] = TokenAttr.USER_DEFINED;
            }
        }
        for (int id : new int[] {eos, eot >= 0 ? eot : detectedEot, eom, fimEnds[0], fimEnds[1], fimEnds[2]}) {
            if (id >= 0) {
                eog[id] = true;
            }
        }
        if (hasReturn && hasCall && endId >= 0) {
            // gpt-oss: <|end|> ends a message, not the generation
            eog[endId] = false;
            attrs[endId] = TokenAttr.USER_DEFINED;
        }
        return eog;
    }
}
