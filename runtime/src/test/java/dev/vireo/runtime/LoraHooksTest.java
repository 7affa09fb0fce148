package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.runtime.lora.AdapterUse;
import dev.vireo.runtime.lora.LoraAdapter;
import dev.vireo.testing.Shared;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runtime side of LoRA: adapter caching per model, per-session switching and its effects. */
class LoraHooksTest {
    private static final int[] PROMPT = {1, 403, 407, 261, 378};

    @Test
    void adaptersAreLoadedOncePerPath() throws Exception {
        Path file = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"))) {
            LoraAdapter a = model.loadAdapter(file);
            assertSame(a, model.loadAdapter(file.toAbsolutePath()));
            assertSame(a, model.loadAdapter(file.getParent().resolve(".").resolve(file.getFileName())));
        }
    }

    @Test
    void adapterOfAnotherModelIsRefused() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"))) {
            Path other = Shared.file("models/synthetic/tiny-llama-lora-r8.gguf");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadAdapter(other));
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void switchingAdaptersClearsTheContextAndChangesTheLogits() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"));
             Session s = model.newSession(new SessionOptions(1, 0))) {
            LoraAdapter a = model.loadAdapter(Shared.file("models/synthetic/stories260K-lora-r4.gguf"));
            float[] plain = s.evaluate(PROMPT);
            s.setAdapters(List.of(new AdapterUse(a, 1f)));
            assertEquals(0, s.position(), "setAdapters clears the context");
            float[] adapted = s.evaluate(PROMPT);
            float diff = 0;
            for (int i = 0; i < plain.length; i++) {
                diff = Math.max(diff, Math.abs(plain[i] - adapted[i]));
            }
            assertTrue(diff > 1e-3f, "the adapter changed nothing: " + diff);
            s.setAdapters(List.of(new AdapterUse(a, 0f)));
            assertArrayEquals(plain, s.evaluate(PROMPT), 1e-5f, "scale 0 is no adapter");
            s.setAdapters(List.of());
            assertArrayEquals(plain, s.evaluate(PROMPT), 1e-5f);
        }
    }
}
