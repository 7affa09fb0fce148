package dev.vireo.runtime.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn conversation that knows which part of the prompt text is already in the model's
 * KV cache, so that each turn prefills only what is new.
 *
 * <p>Each turn renders the whole conversation with the template; when the text already fed is a
 * prefix of it (the normal case), only the rest is returned. When it is not (a template that
 * rewrites earlier turns, or a changed system prompt), the whole text is returned and
 * {@link Turn#restart()} tells the caller to clear its cache first.
 */
public final class Conversation {
    private final ChatTemplate template;
    private final List<ChatMessage> messages = new ArrayList<>();
    private String system;
    /** Exactly the text fed to the model so far: prompts plus generated answers. */
    private String fed = "";

    /**
     * The text to feed for one turn.
     *
     * @param text what to prefill now
     * @param restart true when the cache must be cleared first (text is then the whole prompt)
     */
    public record Turn(String text, boolean restart) {}

    public Conversation(ChatTemplate template) {
        this.template = template;
    }

    public ChatTemplate template() {
        return template;
    }

    /** Sets (or with null/blank removes) the system prompt; takes effect from the next turn. */
    public void setSystemPrompt(String text) {
        this.system = text == null || text.isBlank() ? null : text;
    }

    public String systemPrompt() {
        return system;
    }

    /** The turns so far (system prompt not included). */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Forgets every turn (the system prompt stays); the next turn restarts the cache. */
    public void reset() {
        messages.clear();
        fed = "";
    }

    /** Adds a user turn and returns the prompt text to feed before generating the answer. */
    public Turn userTurn(String userText) {
        messages.add(ChatMessage.user(userText));
        String full = template.render(withSystem(), true);
        if (!fed.isEmpty() && full.startsWith(fed)) {
            String delta = full.substring(fed.length());
            fed = full;
            return new Turn(delta, false);
        }
        fed = full;
        return new Turn(full, true);
    }

    /** Records the model's answer (the text it generated, which is already in the cache). */
    public void assistantTurn(String answer) {
        messages.add(ChatMessage.assistant(answer));
        fed = fed + answer;
    }

    /**
     * Tells the conversation the model's cache was emptied (e.g. adapters changed): the turns are
     * kept, and the next turn feeds the whole conversation again.
     */
    public void cacheCleared() {
        fed = "";
    }

    /** Drops the last user turn when it produced no answer (e.g. the prompt did not fit). */
    public void abandonTurn() {
        if (!messages.isEmpty() && messages.getLast().role().equals("user")) {
            messages.removeLast();
        }
        fed = "";
    }

    private List<ChatMessage> withSystem() {
        if (system == null) {
            return messages;
        }
        List<ChatMessage> all = new ArrayList<>(messages.size() + 1);
        all.add(ChatMessage.system(system));
        all.addAll(messages);
        return all;
    }
}
