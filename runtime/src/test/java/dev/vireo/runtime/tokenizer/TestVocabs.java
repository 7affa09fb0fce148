package dev.vireo.runtime.tokenizer;

import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufMetadata;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads (once per test run) the tokenizers of the shared GGUF files; skips when they are absent. */
final class TestVocabs {
    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private TestVocabs() {}

    /** The tokenizer of a shared file, e.g. "models/vocab/ggml-vocab-gpt-2.gguf". */
    static Tokenizer tokenizer(String relative) {
        var path = Shared.file(relative);
        return CACHE.computeIfAbsent(relative, r -> Tokenizer.fromMetadata(metadata(path)));
    }

    static GgufMetadata metadata(java.nio.file.Path path) {
        try (GgufFile f = GgufFile.open(path)) {
            return f.metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
