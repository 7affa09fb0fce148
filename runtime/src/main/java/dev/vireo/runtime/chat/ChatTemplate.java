package dev.vireo.runtime.chat;

import java.util.List;

/**
 * Turns a conversation into the prompt text a model was trained on.
 *
 * <p>The text includes the model's special-token strings (e.g. {@code <|im_start|>}, and the BOS
 * text when the format starts with one), so it must be tokenized with special tokens parsed and
 * without adding another BOS when it already starts with one.
 */
public interface ChatTemplate {
    /** Short name for messages: "gguf", "llama3", "chatml", "llama2", "gemma", "phi3", "plain". */
    String name();

    /**
     * Renders the conversation.
     *
     * @param messages the turns so far, oldest first
     * @param addGenerationPrompt whether to end with the opening of an assistant turn
     * @throws IllegalArgumentException if the template refuses the conversation (e.g. roles that
     *     do not alternate) or cannot be rendered
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
