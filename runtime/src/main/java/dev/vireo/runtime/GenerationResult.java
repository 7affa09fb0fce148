package dev.vireo.runtime;

/**
 * The outcome of one generation.
 *
 * @param text the generated text (without a stop string that ended it)
 * @param promptTokens tokens of the prompt that were processed
 * @param generatedTokens tokens generated
 * @param stopReason why it ended
 * @param promptNanos time spent on the prompt
 * @param generateNanos time spent generating
 */
public record GenerationResult(String text, int promptTokens, int generatedTokens, StopReason stopReason,
        long promptNanos, long generateNanos) {

    /** Prompt tokens per second (0 when there was no prompt). */
    public double promptTokensPerSecond() {
        return promptNanos <= 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    /** Generated tokens per second (0 when nothing was generated). */
    public double generatedTokensPerSecond() {
        return generateNanos <= 0 ? 0 : generatedTokens * 1e9 / generateNanos;
    }
}
