package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prompt's batch size changes only how the tokens are chunked, never the result: every row
 * of a golden case (its prompt and llama.cpp's greedy continuation, evaluated in one call) matches
 * llama.cpp's logits with one-token chunks (matvec only), chunks of 7 (a partial last chunk, KV
 * cache carried across chunks), 64 and 256 (one chunk), and the four agree with each other.
 */
class BatchSizeTest {
    private static final int[] BATCH_SIZES = {1, 7, 64, 256};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K/park", "tiny-llama-F32/park", "tiny-qwen3-F32/park", "tiny-llama-Q8_0/park"})
    void chunkingDoesNotChangeTheLogits(String name) throws Exception {
        GoldenCase g = GoldenCase.load(name);
        int v = g.vocab();
        int rows = g.rows();
        int[] tokens = rowTokens(g);
        float tol = GoldenAssertions.tolerance(g.weightType());
        float[] reference = null;
        try (Model model = Model.load(g.model())) {
            for (int b : BATCH_SIZES) {
                float[] ours = new float[rows * v];
                try (Session s = model.newSession(new SessionOptions(1, 256, b))) {
                    assertEquals(b, s.batchSize());
                    s.evaluate(tokens, ours);
                }
                GoldenAssertions.assertMatchesGolden(name + " -b " + b, g.weightType(), g.logits(), ours, v,
                        g.promptTokens().length, g.greedyTokens(), g.margins());
                if (reference == null) {
                    reference = ours;
                } else {
                    float worst = 0;
                    for (int i = 0; i < ours.length; i++) {
                        worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
                    }
                    System.out.printf("%s: -b %d vs -b 1: max |diff| %.3g%n", name, b, worst);
                    assertTrue(worst <= tol, name + ": -b " + b + " differs from -b 1 by " + worst + " > " + tol);
                }
            }
        }
    }

    /**
     * Only the last token's logits: the last layer then carries just that token (and nothing for
     * the chunks before it), which must give the same numbers as the run keeping every row.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K/park", "tiny-qwen3-F32/park", "tiny-llama-Q8_0/park"})
    void lastTokenOnlyEqualsTheLastRowOfAllRows(String name) throws Exception {
        GoldenCase g = GoldenCase.load(name);
        int v = g.vocab();
        int rows = g.rows();
        int[] tokens = rowTokens(g);
        float tol = GoldenAssertions.tolerance(g.weightType());
        try (Model model = Model.load(g.model())) {
            float[] all = new float[rows * v];
            try (Session s = model.newSession(new SessionOptions(1, 256, 256))) {
                s.evaluate(tokens, all);
            }
            for (int b : BATCH_SIZES) {
                float[] last;
                try (Session s = model.newSession(new SessionOptions(1, 256, b))) {
                    last = s.evaluate(tokens);
                }
                float worst = 0;
                for (int i = 0; i < v; i++) {
                    worst = Math.max(worst, Math.abs(last[i] - all[(rows - 1) * v + i]));
                }
                assertTrue(worst <= tol, name + " -b " + b + ": last-token logits differ by " + worst + " > " + tol);
            }
        }
    }

    @Test
    void batchIsCappedAtTheContextAndMustBePositive() throws Exception {
        GoldenCase g = GoldenCase.load("stories260K/park");
        try (Model model = Model.load(g.model());
             Session s = model.newSession(new SessionOptions(1, 10, 256))) {
            assertEquals(10, s.batchSize(), "buffers for more tokens than the context could never be used");
        }
        assertEquals(SessionOptions.DEFAULT_BATCH, new SessionOptions(1, 0).batchSize());
        assertEquals(SessionOptions.DEFAULT_BATCH, SessionOptions.defaults().batchSize());
        assertEquals(3, SessionOptions.defaults().withBatchSize(3).batchSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SessionOptions(1, 0, 0));
        assertTrue(e.getMessage().contains("batch size 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withBatchSize(-5));
    }

    /** The token of every golden row: the prompt, then llama.cpp's greedy tokens. */
    private static int[] rowTokens(GoldenCase g) {
        int[] tokens = new int[g.rows()];
        for (int r = 0; r < tokens.length; r++) {
            tokens[r] = g.tokenAt(r);
        }
        return tokens;
    }
}
