package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Context limits and the equivalence of batched and one-token evaluation. */
class SessionContextTest {

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) {
            t[i] = 3 + (int) ((i * 2654435761L + seed) % 500);
        }
        return t;
    }

    @Test
    void contextLengthComesFromMetadataAndIsNeverExceeded() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260Ktok512.gguf"));
             Session s = model.newSession(new SessionOptions(1, 0))) {
            assertEquals(128, model.config().contextLength());
            assertEquals(128, s.contextLength());
            ContextOverflowException tooLong = assertThrows(ContextOverflowException.class, () -> s.evaluate(tokens(129, 1)));
            assertEquals(129, tooLong.requestedPositions());
            assertEquals(0, s.position(), "a refused call leaves the context unchanged");
            float[] before = s.evaluate(tokens(128, 1));
            assertEquals(128, s.position());
            ContextOverflowException oneMore = assertThrows(ContextOverflowException.class, () -> s.evaluate(new int[] {5}));
            assertTrue(oneMore.getMessage().contains("129") && oneMore.getMessage().contains("128"), oneMore.getMessage());
            assertEquals(128, s.position());
            s.reset();
            // Equal up to float rounding: Vector API reductions may add lanes in another order once compiled.
            assertArrayEquals(before, s.evaluate(tokens(128, 1)), 1e-4f, "after reset the same tokens give the same logits");
        }
    }

    @Test
    void defaultContextIsTheModelsCappedAt4096() {
        SessionOptions unset = new SessionOptions(1, 0);
        assertEquals(4096, unset.effectiveContextLength(131072), "Llama-3.2-1B's 128k context is not reserved by default");
        assertEquals(2048, unset.effectiveContextLength(2048));
        assertEquals(4097, new SessionOptions(1, 4097).effectiveContextLength(131072), "-c may go past the default");
        assertEquals(2048, new SessionOptions(1, 9000).effectiveContextLength(2048), "but not past the model's");
    }

    @Test
    void kvCacheIsAllocatedOnceForTheWholeContext() {
        KvCache cache = new KvCache(2, 3, 8, 100);
        assertEquals(2, cache.keys.length);
        assertEquals(3 * 100 * 8, cache.keys[1].length, "one array per layer holds every KV head");
        assertEquals(3 * 100 * 8, cache.values[0].length);
        float[] before = cache.keys[0];
        float[] k = new float[3 * 8];
        float[] v = new float[3 * 8];
        for (int i = 0; i < k.length; i++) {
            k[i] = i + 1;
            v[i] = -(i + 1);
        }
        cache.checkPositions(100);
        cache.store(0, 99, k, 0, v, 0);
        assertTrue(before == cache.keys[0], "storing the last position reuses the arrays allocated at start");
        // head-major: head h's position p at h * limit * headDim + p * headDim
        for (int h = 0; h < 3; h++) {
            assertEquals(h * 100 * 8, cache.headOffset(h));
            for (int d = 0; d < 8; d++) {
                assertEquals(h * 8 + d + 1, cache.keys[0][h * 800 + 99 * 8 + d], "key head " + h + " dim " + d);
                assertEquals(-(h * 8 + d + 1), cache.values[0][h * 800 + 99 * 8 + d], "value head " + h + " dim " + d);
            }
        }
        assertEquals(0f, cache.keys[1][99 * 8], "other layers untouched");
        ContextOverflowException e = assertThrows(ContextOverflowException.class, () -> cache.checkPositions(101));
        assertEquals(101, e.requestedPositions());
    }

    @Test
    void smallerUserContextIsEnforcedAndLargerIsCapped() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"));
             Session small = model.newSession(new SessionOptions(1, 10));
             Session big = model.newSession(new SessionOptions(1, 1 << 20))) {
            assertEquals(10, small.contextLength());
            assertEquals(2048, big.contextLength());
            small.evaluate(tokens(10, 2));
            assertThrows(ContextOverflowException.class, () -> small.evaluate(new int[] {7}));
        }
    }

    @Test
    void oneTokenStepsGiveTheLogitsOfTheBatchedPass() throws Exception {
        // 150 tokens: more than one batch, so chunking is covered too.
        int[] toks = tokens(150, 3);
        try (Model model = Model.load(Shared.file("models/synthetic/tiny-qwen2-F32.gguf"));
             Session batched = model.newSession(new SessionOptions(2, 0));
             Session stepped = model.newSession(new SessionOptions(1, 0))) {
            int v = model.config().vocabSize();
            float[] all = new float[toks.length * v];
            batched.evaluate(toks, all);
            float worst = 0;
            for (int i = 0; i < toks.length; i++) {
                float[] step = stepped.evaluate(new int[] {toks[i]});
                for (int j = 0; j < v; j++) {
                    worst = Math.max(worst, Math.abs(step[j] - all[i * v + j]));
                }
            }
            // The same products summed in possibly different order: float rounding only.
            assertTrue(worst < 1e-4f, "max |decode - batched| = " + worst);
            assertEquals(toks.length, batched.position());
            // evaluate(tokens) returns the last row of evaluate(tokens, all). Not bit for bit: that row
            // comes from matvec there and from matmul here, and the Vector API's lane reductions round
            // differently before and after the JIT compiles them (measured: up to ~1e-5 on logits
            // near 10 between two identical calls), so the bound is the one above.
            batched.reset();
            float[] last = batched.evaluate(toks);
            assertArrayEquals(Arrays.copyOfRange(all, (toks.length - 1) * v, toks.length * v), last, 1e-4f);
        }
    }

    @Test
    void badTokenIdsAreRejectedWithTheirIndex() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"));
             Session s = model.newSession(new SessionOptions(1, 0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.evaluate(new int[] {1, 512}));
            assertEquals("token id 512 at index 1 is outside the vocabulary of 512", e.getMessage());
            assertEquals(0, s.position());
        }
    }

    @Test
    void describeIsOneLine() throws Exception {
        // llama-2-tiny-random loads (llama, F16/F32 tensors) and describes itself in one line.
        try (Model model = Model.load(Shared.file("models/llama-2-tiny-random.gguf"))) {
            String d = model.describe();
            assertTrue(d.startsWith("llama, ") && !d.contains("\n"), d);
        }
    }
}
