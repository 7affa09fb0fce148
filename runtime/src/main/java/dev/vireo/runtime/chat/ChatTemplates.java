package dev.vireo.runtime.chat;

import dev.vireo.gguf.GgufMetadata;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Chooses the chat template for a model: its own {@code tokenizer.chat_template} when the Jinja
 * engine renders it, else the built-in format it resembles, else plain continuation.
 */
public final class ChatTemplates {
    static final String TEMPLATE_KEY = "tokenizer.chat_template";

    private ChatTemplates() {}

    /**
     * The template for the model described by this metadata.
     *
     * @param warnings receives one line when the model's template cannot be used and a built-in
     *     one is used instead
     */
    public static ChatTemplate forModel(GgufMetadata metadata, Consumer<String> warnings) {
        SpecialTokens tokens = specialTokens(metadata);
        String[] vocab = metadata.has("tokenizer.ggml.tokens") ? metadata.getStringArray("tokenizer.ggml.tokens") : new String[0];
        Optional<String> source = metadata.findString(TEMPLATE_KEY);
        if (source.isPresent() && !source.get().isBlank()) {
            JinjaTemplate jinja = new JinjaTemplate(source.get(), tokens);
            BuiltinTemplate similar = detect(source.get(), List.of(vocab));
            try {
                // A trial render finds templates Jinjava cannot handle before the user's first turn.
                jinja.render(List.of(ChatMessage.system("s"), ChatMessage.user("u"), ChatMessage.assistant("a"),
                        ChatMessage.user("u")), true);
                return jinja;
            } catch (IllegalArgumentException firstTry) {
                try {
                    // Some templates refuse a system message; that is not a rendering failure.
                    jinja.render(List.of(ChatMessage.user("u"), ChatMessage.assistant("a"), ChatMessage.user("u")), true);
                    return jinja;
                } catch (IllegalArgumentException e) {
                    warnings.accept("the model's chat template cannot be rendered (" + e.getMessage()
                            + "); using the built-in " + similar.id() + " format");
                    return similar.with(tokens);
                }
            }
        }
        return detect("", List.of(vocab)).with(tokens);
    }

    /**
     * A built-in format by name ("llama3", "chatml", "llama2", "gemma", "phi3", "plain"), printing
     * this model's BOS/EOS texts: to override a model's own template.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     */
    public static ChatTemplate builtin(String id, GgufMetadata metadata) {
        return BuiltinTemplate.byId(id).with(specialTokens(metadata));
    }

    /**
     * The built-in format that a template text (or, with no template, a vocabulary) points to:
     * each family has marker strings no other one uses.
     */
    static BuiltinTemplate detect(String template, List<String> vocab) {
        if (has(template, vocab, "<|start_header_id|>")) {
            return BuiltinTemplate.LLAMA3;
        }
        if (has(template, vocab, "<|im_start|>")) {
            return BuiltinTemplate.CHATML;
        }
        if (has(template, vocab, "<start_of_turn>")) {
            return BuiltinTemplate.GEMMA;
        }
        if (has(template, vocab, "<|assistant|>") && has(template, vocab, "<|end|>")) {
            return BuiltinTemplate.PHI3;
        }
        if (template.contains("[INST]")) {
            return BuiltinTemplate.LLAMA2;
        }
        return BuiltinTemplate.PLAIN;
    }

    private static boolean has(String template, List<String> vocab, String marker) {
        return template.contains(marker) || vocab.contains(marker);
    }

    /** The BOS/EOS token texts, "" when the model has none or the ids are out of range. */
    static SpecialTokens specialTokens(GgufMetadata m) {
        if (!m.has("tokenizer.ggml.tokens")) {
            return SpecialTokens.NONE;
        }
        String[] vocab = m.getStringArray("tokenizer.ggml.tokens");
        return new SpecialTokens(token(vocab, m, "tokenizer.ggml.bos_token_id"), token(vocab, m, "tokenizer.ggml.eos_token_id"));
    }

    private static String token(String[] vocab, GgufMetadata m, String key) {
        if (!m.has(key)) {
            return "";
        }
        long id = m.getLong(key);
        return id >= 0 && id < vocab.length ? vocab[(int) id] : "";
    }
}
