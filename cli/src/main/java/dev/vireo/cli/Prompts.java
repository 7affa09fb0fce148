package dev.vireo.cli;

import dev.vireo.runtime.GenerationResult;
import dev.vireo.runtime.Model;
import java.util.Locale;

/** Small helpers shared by run and chat. */
final class Prompts {
    private Prompts() {}

    /**
     * Whether the tokenizer puts a space before the first word (SentencePiece's dummy prefix), so
     * text generated right after BOS starts with a space nobody typed.
     */
    static boolean spmDummyPrefix(Model m) {
        return m.file().metadata().findString("tokenizer.ggml.model").map("llama"::equals).orElse(false)
                && m.file().metadata().getBool("tokenizer.ggml.add_space_prefix", true);
    }

    /** "prompt 5 tokens, 812.3 tok/s | generated 256 tokens, 301.2 tok/s | stop: max tokens". */
    static String speed(GenerationResult r) {
        return String.format(Locale.ROOT, "prompt %d tokens, %.1f tok/s | generated %d tokens, %.1f tok/s | stop: %s",
                r.promptTokens(), r.promptTokensPerSecond(), r.generatedTokens(), r.generatedTokensPerSecond(),
                r.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
}
