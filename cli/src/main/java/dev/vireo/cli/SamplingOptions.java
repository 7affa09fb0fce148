package dev.vireo.cli;

import dev.vireo.runtime.GenerationParams;
import picocli.CommandLine.Option;

/** Sampling flags as llama.cpp spells them, with its defaults. */
final class SamplingOptions {
    @Option(names = {"-n", "--n-predict"}, defaultValue = "-1", paramLabel = "N",
            description = "Tokens to generate (default: ${DEFAULT-VALUE} = until the end of text or a full context).")
    int maxTokens;

    @Option(names = "--temp", defaultValue = "0.8", paramLabel = "T", description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "K", description = "Top-k; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "P", description = "Top-p; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", paramLabel = "P", description = "Min-p; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", paramLabel = "X",
            description = "Penalty for repeated tokens; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", paramLabel = "N",
            description = "Tokens the penalty looks back at; 0 = off, -1 = the whole context (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, defaultValue = "-1", paramLabel = "SEED",
            description = "Random seed; -1 = a new one each run (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The parameters, or a usage error naming the flag whose value is out of range. */
    GenerationParams params() {
        check(maxTokens >= -1, "-n", "must be -1 (no limit) or more", maxTokens);
        check(Float.isFinite(temperature) && temperature >= 0, "--temp", "must be 0 (greedy) or more", temperature);
        check(topK >= 0, "--top-k", "must be 0 (off) or more", topK);
        check(topP > 0 && topP <= 1, "--top-p", "must be in (0, 1]", topP);
        check(minP >= 0 && minP <= 1, "--min-p", "must be in [0, 1]", minP);
        check(Float.isFinite(repeatPenalty) && repeatPenalty > 0, "--repeat-penalty", "must be positive (1 = off)", repeatPenalty);
        check(repeatLastN >= -1, "--repeat-last-n", "must be -1, 0 or more", repeatLastN);
        return GenerationParams.defaults().withMaxTokens(maxTokens).withTemperature(temperature).withTopK(topK)
                .withTopP(topP).withMinP(minP).withRepeatPenalty(repeatPenalty).withRepeatLastN(repeatLastN)
                .withSeed(seed);
    }

    private static void check(boolean ok, String flag, String rule, Object value) {
        if (!ok) {
            throw new UsageException(flag + ": " + rule + ", not " + value);
        }
    }
}
