package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cancel inside a prompt batch ends the forward pass at the next layer boundary. The lower
 * layers have stored keys and values for the batch's positions by then; running the same
 * positions again must rewrite them, so the session's results stay those of an uncancelled one.
 */
class CancelBetweenLayersTest {
    private static Model model;

    @BeforeAll
    static void load() throws Exception {
        model = Model.load(Shared.file("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void aRunStoppedInsideTheBatchLeavesNoTraceInTheResults() {
        int[] prompt = new int[40];
        prompt[0] = 1;
        for (int i = 1; i < prompt.length; i++) {
            prompt[i] = 3 + (i * 7919) % 500;
        }
        int vocab = model.config().vocabSize();
        float[] want = new float[prompt.length * vocab]; // evaluate gives every position's logits
        try (Session plain = model.newSession(new SessionOptions(1, 0))) {
            plain.evaluate(prompt, want);
        }
        try (Session s = model.newSession(new SessionOptions(1, 0))) {
            int layers = model.config().blockCount();
            assertTrue(layers >= 3, "the model has layers to stop between");
            int[] asked = {0};
            float[] untouched = new float[vocab];
            Arrays.fill(untouched, Float.NaN);
            // stop before the third layer: layers 0 and 1 have written this batch's keys and values
            boolean completed = s.forward.run(prompt, 0, prompt.length, 0, untouched, 0, false, () -> ++asked[0] > 2);
            assertFalse(completed, "the run reports that it stopped");
            assertEquals(3, asked[0], "asked once per layer started, stopped at the third");
            assertTrue(Float.isNaN(untouched[0]) && Float.isNaN(untouched[vocab - 1]), "no logits from a stopped run");
            float[] got = new float[prompt.length * vocab];
            s.evaluate(prompt, got);
            assertArrayEquals(want, got, "the same positions run again give the uncancelled logits");
        }
    }
}
