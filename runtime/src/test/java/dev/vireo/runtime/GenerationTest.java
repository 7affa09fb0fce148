package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Session.generate on stories260K: the published greedy output, stopping rules, seeds, threads. */
class GenerationTest {
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

    /** Collects what a generation streams. */
    static final class Recorder implements TokenListener {
        final List<Integer> ids = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        @Override
        public void onToken(int tokenId, String piece) {
            if (tokenId >= 0) {
                ids.add(tokenId);
            }
            text.append(piece);
        }

        int[] idArray() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static Session session() {
        return model.newSession(new SessionOptions(1, 0));
    }

    @Test
    void greedyFromBosIsThePublishedLlama2cOutput() throws Exception {
        int[] expected = Arrays.stream(Files.readString(
                Shared.file("reference/stories260K/stories260K_greedy_256.tokens.txt")).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        String expectedText = Files.readString(Shared.file("reference/stories260K/stories260K_greedy_256.txt"),
                StandardCharsets.UTF_8);
        assertEquals(257, expected.length);
        try (Session s = session()) {
            Recorder r = new Recorder();
            GenerationResult res = s.generate("", GenerationParams.greedy().withMaxTokens(256), r);
            assertEquals(StopReason.MAX_TOKENS, res.stopReason());
            assertEquals(256, res.generatedTokens());
            assertEquals(1, res.promptTokens());
            assertArrayEquals(Arrays.copyOfRange(expected, 1, 257), r.idArray());
            assertEquals(257, s.position());
            assertEquals(expectedText, res.text());
            assertEquals(res.text(), r.text.toString(), "streamed text equals the result text");
        }
    }

    @Test
    void generatingInTwoCallsContinuesTheSameText() {
        try (Session once = session(); Session twice = session()) {
            Recorder all = new Recorder();
            once.generate(new int[] {1}, GenerationParams.greedy().withMaxTokens(40), all);
            Recorder parts = new Recorder();
            twice.generate(new int[] {1}, GenerationParams.greedy().withMaxTokens(15), parts);
            twice.generate(new int[0], GenerationParams.greedy().withMaxTokens(25), parts);
            assertEquals(all.ids, parts.ids);
            assertEquals(41, twice.position());
        }
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        GenerationParams p = GenerationParams.defaults().withTemperature(1.0f).withMaxTokens(48);
        int[][] runs = new int[3][];
        long[] seeds = {42, 42, 7};
        for (int i = 0; i < 3; i++) {
            try (Session s = session()) {
                Recorder r = new Recorder();
                s.generate("Once upon a time", p.withSeed(seeds[i]), r);
                runs[i] = r.idArray();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
        assertFalse(Arrays.equals(runs[0], runs[2]), "seeds 42 and 7 gave the same 48 tokens");
    }

    @Test
    void fourConcurrentSessionsGiveTheTokensOfSequentialRuns() throws Exception {
        GenerationParams p = GenerationParams.defaults().withTemperature(0.9f).withMaxTokens(64).withRepeatPenalty(1.1f);
        String[] prompts = {"Once upon a time", "Lily went to the park", "The cat", "One day, Tom"};
        int[][] sequential = new int[4][];
        for (int i = 0; i < 4; i++) {
            try (Session s = session()) {
                Recorder r = new Recorder();
                s.generate(prompts[i], p.withSeed(100 + i), r);
                sequential[i] = r.idArray();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    try (Session s = model.newSession(new SessionOptions(1, 0))) {
                        start.await();
                        Recorder r = new Recorder();
                        s.generate(prompts[k], p.withSeed(100 + k), r);
                        return r.idArray();
                    }
                }));
            }
            start.countDown();
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(sequential[i], futures.get(i).get(), "session " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stopStringEndsGenerationAndIsNotEmitted() {
        try (Session plain = session(); Session stopped = session()) {
            String full = plain.generate("", GenerationParams.greedy().withMaxTokens(60), TokenListener.NONE).text();
            int at = full.indexOf("park");
            assertTrue(at > 0, full);
            Recorder r = new Recorder();
            GenerationResult res = stopped.generate("",
                    GenerationParams.greedy().withMaxTokens(60).withStopStrings(List.of("park")), r);
            assertEquals(StopReason.STOP_STRING, res.stopReason());
            assertEquals(full.substring(0, at), res.text());
            assertEquals(res.text(), r.text.toString());
        }
    }

    @Test
    void cancelFromAnotherThreadStopsTheGeneration() throws Exception {
        try (Session s = session()) {
            CountDownLatch first = new CountDownLatch(1);
            Thread canceller = new Thread(() -> {
                try {
                    first.await();
                    s.cancel();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            canceller.start();
            GenerationResult res = s.generate("", GenerationParams.greedy(), (id, text) -> {
                first.countDown();
                try {
                    Thread.sleep(2); // slow consumer: the cancel arrives long before the context fills
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            canceller.join();
            assertEquals(StopReason.CANCELLED, res.stopReason());
            assertTrue(res.generatedTokens() >= 1 && res.generatedTokens() < 2000, "generated " + res.generatedTokens());
            // A cancelled session keeps working.
            GenerationResult again = s.generate(new int[0], GenerationParams.greedy().withMaxTokens(3), TokenListener.NONE);
            assertEquals(StopReason.MAX_TOKENS, again.stopReason());
        }
    }

    @Test
    void cancelDuringALongPromptKeepsThePromptForTheNextCall() throws Exception {
        int[] prompt = new int[1500];
        prompt[0] = 1;
        for (int i = 1; i < prompt.length; i++) {
            prompt[i] = 3 + (i * 7919) % 500;
        }
        int[] expected;
        try (Session plain = session()) {
            Recorder r = new Recorder();
            plain.generate(prompt, GenerationParams.greedy().withMaxTokens(5), r);
            expected = r.idArray();
        }
        try (Session s = session()) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread spinner = new Thread(() -> {
                while (!done.get()) {
                    s.cancel(); // keeps asking, so one of the ~24 batch boundaries sees it
                    Thread.onSpinWait();
                }
            });
            spinner.start();
            GenerationResult res;
            try {
                res = s.generate(prompt, GenerationParams.greedy().withMaxTokens(5), TokenListener.NONE);
            } finally {
                done.set(true);
                spinner.join();
            }
            assertEquals(StopReason.CANCELLED, res.stopReason());
            assertEquals(0, res.generatedTokens());
            assertEquals(prompt.length, s.position(), "the whole prompt is in the context");
            Recorder r = new Recorder();
            s.generate(new int[0], GenerationParams.greedy().withMaxTokens(5), r);
            assertArrayEquals(expected, r.idArray(), "continuing reads the rest of the prompt first");
        }
    }

    /**
     * A cancel inside a prompt batch ends the forward pass at the next layer boundary. The lower
     * layers have stored keys and values for the batch's positions by then; running the same
     * positions again must rewrite them, so the results stay those of an uncancelled session.
     */
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
            // equal up to float rounding: code compiled between the two runs may sum lanes in
            // another order; keys and values left from the stopped run would be far off
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4f * Math.max(1f, Math.abs(want[i])),
                        "the same positions run again give the uncancelled logits, at " + i);
            }
        }
    }

    @Test
    void fullContextStopsGeneration() {
        try (Session s = model.newSession(new SessionOptions(1, 20))) {
            GenerationResult res = s.generate("", GenerationParams.greedy(), TokenListener.NONE);
            assertEquals(StopReason.CONTEXT_FULL, res.stopReason());
            assertEquals(19, res.generatedTokens());
            assertEquals(20, s.position());
        }
    }

    @Test
    void generationFillsAContextLargerThanTheInitialCache() {
        // The KV cache starts smaller than the context and grows while generating.
        try (Session s = model.newSession(new SessionOptions(1, 1100))) {
            GenerationResult res = s.generate("", GenerationParams.greedy(), TokenListener.NONE);
            assertEquals(StopReason.CONTEXT_FULL, res.stopReason());
            assertEquals(1099, res.generatedTokens());
            assertEquals(1100, s.position());
        }
    }

    @Test
    void zeroMaxTokensOnlyReadsThePrompt() {
        try (Session s = session()) {
            GenerationResult res = s.generate("Once upon", GenerationParams.greedy().withMaxTokens(0), TokenListener.NONE);
            assertEquals(StopReason.MAX_TOKENS, res.stopReason());
            assertEquals(0, res.generatedTokens());
            assertEquals("", res.text());
            assertEquals(res.promptTokens(), s.position());
            assertNotEquals(0, res.promptTokens());
        }
    }
}
