package dev.vireo.runtime.chat;

import java.util.List;

/**
 * The common chat formats written in code, for models whose GGUF has no template or one the Jinja
 * engine cannot render. Each follows the format its model family publishes.
 */
public enum BuiltinTemplate {
    /** Llama 3.x: header tokens around each role, {@code <|eot_id|>} after each turn. */
    LLAMA3 {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder(tokens.bos());
            for (ChatMessage m : messages) {
                sb.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                        .append(m.content().strip()).append("<|eot_id|>");
            }
            if (addGenerationPrompt) {
                sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            }
            return sb.toString();
        }
    },
    /** ChatML (Qwen 2/2.5/3, SmolLM2 and many fine-tunes): {@code <|im_start|>role\n...<|im_end|>\n}. */
    CHATML {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
            if (addGenerationPrompt) {
                sb.append("<|im_start|>assistant\n");
            }
            return sb.toString();
        }
    },
    /**
     * Llama 2 chat and Mistral instruct: {@code [INST] ... [/INST]} around user turns, the system
     * prompt inside the first one between {@code <<SYS>>} markers, each exchange closed by EOS.
     */
    LLAMA2 {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder();
            String system = null;
            for (ChatMessage m : messages) {
                switch (m.role()) {
                    case "system" -> system = m.content().strip();
                    case "user" -> {
                        sb.append(tokens.bos()).append("[INST] ");
                        if (system != null) {
                            sb.append("<<SYS>>\n").append(system).append("\n<</SYS>>\n\n");
                            system = null;
                        }
                        sb.append(m.content().strip()).append(" [/INST]");
                    }
                    case "assistant" -> {
                        sb.append(' ').append(m.content().strip()).append(' ').append(tokens.eos());
                    }
                    default -> throw unknownRole(this, m);
                }
            }
            // The generation prompt is the open [INST] block itself: nothing to add.
            return sb.toString();
        }
    },
    /** Gemma: {@code <start_of_turn>user|model\n...<end_of_turn>\n}; a system prompt joins the first user turn. */
    GEMMA {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder(tokens.bos());
            String system = null;
            for (ChatMessage m : messages) {
                switch (m.role()) {
                    case "system" -> system = m.content().strip();
                    case "user", "assistant" -> {
                        String role = m.role().equals("assistant") ? "model" : "user";
                        sb.append("<start_of_turn>").append(role).append('\n');
                        if (system != null && role.equals("user")) {
                            sb.append(system).append("\n\n");
                            system = null;
                        }
                        sb.append(m.content().strip()).append("<end_of_turn>\n");
                    }
                    default -> throw unknownRole(this, m);
                }
            }
            if (addGenerationPrompt) {
                sb.append("<start_of_turn>model\n");
            }
            return sb.toString();
        }
    },
    /** Phi-3: {@code <|role|>\n...<|end|>\n}. */
    PHI3 {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder(tokens.bos());
            for (ChatMessage m : messages) {
                sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append("<|end|>\n");
            }
            if (addGenerationPrompt) {
                sb.append("<|assistant|>\n");
            }
            return sb.toString();
        }
    },
    /**
     * No chat format: the turns are one running text that the model continues (a base model such
     * as stories260K). The model's answers continue the text as generated; a space goes before a
     * user turn that would otherwise run into the text before it.
     */
    PLAIN {
        @Override
        String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) {
                String c = m.content();
                if (!m.role().equals("assistant") && !sb.isEmpty() && !c.isEmpty() && !Character.isWhitespace(sb.charAt(sb.length() - 1))
                        && !Character.isWhitespace(c.charAt(0))) {
                    sb.append(' ');
                }
                sb.append(c);
            }
            return sb.toString();
        }
    };

    abstract String format(List<ChatMessage> messages, boolean addGenerationPrompt, SpecialTokens tokens);

    /** The name used on the command line and in messages ("llama3", "chatml", ...). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** This format as a {@link ChatTemplate} printing the given special-token strings. */
    public ChatTemplate with(SpecialTokens tokens) {
        BuiltinTemplate self = this;
        return new ChatTemplate() {
            @Override
            public String name() {
                return self.id();
            }

            @Override
            public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
                return self.format(messages, addGenerationPrompt, tokens);
            }

            @Override
            public String toString() {
                return "built-in " + self.id() + " template";
            }
        };
    }

    /** The built-in format with this id. */
    public static BuiltinTemplate byId(String id) {
        for (BuiltinTemplate t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown chat template '" + id
                + "' (built in: llama3, chatml, llama2, gemma, phi3, plain)");
    }

    private static IllegalArgumentException unknownRole(BuiltinTemplate t, ChatMessage m) {
        return new IllegalArgumentException("the " + t.id() + " chat format has no role '" + m.role() + "'");
    }
}
