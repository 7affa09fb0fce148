package dev.vireo.runtime;

/** Receives generated tokens as they come (on the generating thread). */
@FunctionalInterface
public interface TokenListener {
    /** Ignores every token. */
    TokenListener NONE = (id, text) -> {};

    /**
     * @param tokenId the generated token, or -1 for one last call that carries text held back
     *     until the generation ended (a possible stop-string start that was not one, or an
     *     unfinished UTF-8 character shown as U+FFFD)
     * @param text the complete UTF-8 characters this token finishes, possibly "" (a character
     *     split over several tokens, or text held back while it may be the start of a stop string)
     */
    void onToken(int tokenId, String text);
}
