package dev.vireo.runtime;

import java.util.List;

/**
 * How to generate: length, sampling and stop strings. Start from {@link #defaults()} (llama.cpp's
 * defaults) and change what you need with the {@code with...} methods.
 *
 * @param maxTokens tokens to generate at most; negative: until end of generation or a full context
 * @param temperature 0 (or less) picks the most likely token (greedy)
 * @param topK keep the k most likely tokens; 0 or less: off
 * @param topP keep the most likely tokens whose probabilities add up to p; 1: off
 * @param minP drop tokens less likely than minP times the most likely one; 0: off
 * @param repeatPenalty divide (positive) or multiply (negative) the logits of recent tokens; 1: off
 * @param repeatLastN how many recent tokens the penalty looks at; 0: off, -1: the whole context
 * @param seed the random seed; the same seed and input give the same output; -1: a fresh seed
 * @param stopStrings generation stops when the text produces one of these (it is not emitted)
 */
public record GenerationParams(int maxTokens, float temperature, int topK, float topP, float minP,
        float repeatPenalty, int repeatLastN, long seed, List<String> stopStrings) {

    /** The seed value that asks for a fresh random seed. */
    public static final long RANDOM_SEED = -1;

    public GenerationParams {
        if (!Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature " + temperature + " must be a finite number (0 = greedy)");
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top-p " + topP + " must be in (0, 1] (1 = off)");
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw new IllegalArgumentException("min-p " + minP + " must be in [0, 1] (0 = off)");
        }
        if (!(repeatPenalty > 0f)) {
            throw new IllegalArgumentException("repeat penalty " + repeatPenalty + " must be positive (1 = off)");
        }
        if (repeatLastN < -1) {
            throw new IllegalArgumentException("repeat-last-n " + repeatLastN + " must be -1, 0 or positive");
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
    }

    /** llama.cpp's defaults: no token limit, temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalty. */
    public static GenerationParams defaults() {
        return new GenerationParams(-1, 0.8f, 40, 0.95f, 0.05f, 1.0f, 64, RANDOM_SEED, List.of());
    }

    /** Greedy decoding: always the most likely token. */
    public static GenerationParams greedy() {
        return defaults().withTemperature(0f);
    }

    public GenerationParams withMaxTokens(int v) {
        return new GenerationParams(v, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withTemperature(float v) {
        return new GenerationParams(maxTokens, v, topK, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withTopK(int v) {
        return new GenerationParams(maxTokens, temperature, v, topP, minP, repeatPenalty, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withTopP(float v) {
        return new GenerationParams(maxTokens, temperature, topK, v, minP, repeatPenalty, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withMinP(float v) {
        return new GenerationParams(maxTokens, temperature, topK, topP, v, repeatPenalty, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withRepeatPenalty(float v) {
        return new GenerationParams(maxTokens, temperature, topK, topP, minP, v, repeatLastN, seed, stopStrings);
    }

    public GenerationParams withRepeatLastN(int v) {
        return new GenerationParams(maxTokens, temperature, topK, topP, minP, repeatPenalty, v, seed, stopStrings);
    }

    public GenerationParams withSeed(long v) {
        return new GenerationParams(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, v, stopStrings);
    }

    public GenerationParams withStopStrings(List<String> v) {
        return new GenerationParams(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, v);
    }
}
