package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sampling steps on small arrays whose results are worked out by hand in the comments. */
class SamplerTest {

    private static Sampler sampler(int vocab, GenerationParams p, long seed) {
        Sampler s = new Sampler(vocab);
        s.configure(p, seed);
        return s;
    }

    private static final GenerationParams NOTHING = GenerationParams.defaults().withTopK(0).withTopP(1f).withMinP(0f)
            .withRepeatPenalty(1f).withTemperature(1f);

    @Test
    void greedyTakesTheFirstLargest() {
        Sampler s = sampler(5, NOTHING.withTemperature(0f), 1);
        assertEquals(1, s.sample(new float[] {0f, 3f, 1f, 3f, -2f}, new int[0], 0));
    }

    @Test
    void topKKeepsTheKBestInOrder() {
        float[] l = {0.5f, 2f, -1f, 3f, 2f, 1f};
        Sampler s = sampler(l.length, NOTHING.withTopK(3), 1);
        assertEquals(3, s.candidateCount(l));
        // 3 (3.0), then the tie at 2.0 broken by the lower id: 1, then 4.
        assertEquals(3, s.candidate(0));
        assertEquals(1, s.candidate(1));
        assertEquals(4, s.candidate(2));
    }

    @Test
    void topKSelectionAgreesWithAFullSortOnRandomLogits() {
        Random r = new Random(7);
        float[] l = new float[1001];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) r.nextGaussian() * 3;
        }
        Integer[] order = new Integer[l.length];
        for (int i = 0; i < l.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> l[a] != l[b] ? Float.compare(l[b], l[a]) : Integer.compare(a, b));
        for (int k : new int[] {1, 2, 17, 40, 1001}) {
            Sampler s = sampler(l.length, NOTHING.withTopK(k), 1);
            assertEquals(k, s.candidateCount(l));
            for (int i = 0; i < k; i++) {
                assertEquals(order[i], s.candidate(i), "k=" + k + " rank " + i);
            }
        }
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        // Probabilities 0.5, 0.25, 0.125, 0.125 (logits are their logs).
        float[] l = {(float) Math.log(0.125), (float) Math.log(0.5), (float) Math.log(0.125), (float) Math.log(0.25)};
        assertEquals(2, sampler(4, NOTHING.withTopP(0.75f), 1).candidateCount(l)); // 0.5 + 0.25 reaches 0.75
        assertEquals(3, sampler(4, NOTHING.withTopP(0.76f), 1).candidateCount(l));
        assertEquals(1, sampler(4, NOTHING.withTopP(0.4f), 1).candidateCount(l));
        // After top-k 2 the two left are renormalized to 2/3 and 1/3: p 0.6 keeps one.
        assertEquals(1, sampler(4, NOTHING.withTopK(2).withTopP(0.6f), 1).candidateCount(l));
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        // Probabilities relative to the best: 1, 0.5, 0.25, 0.125.
        float[] l = {0f, (float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125)};
        assertEquals(2, sampler(4, NOTHING.withMinP(0.3f), 1).candidateCount(l));
        assertEquals(3, sampler(4, NOTHING.withMinP(0.25f), 1).candidateCount(l));
        assertEquals(3, sampler(4, NOTHING.withTopK(3).withMinP(0.2f), 1).candidateCount(l));
        assertEquals(1, sampler(4, NOTHING.withMinP(0.9f), 1).candidateCount(l));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeOncePerToken() {
        float[] l = {2f, -2f, 4f, 1f};
        Sampler s = sampler(4, NOTHING.withRepeatPenalty(2f).withRepeatLastN(3), 1);
        // History 3, 0, 1, 0, 1: the last 3 are 1, 0, 1 -> tokens 0 and 1, each once; 3 is too old.
        s.applyRepeatPenalty(l, new int[] {3, 0, 1, 0, 1}, 5);
        assertArrayEquals(new float[] {1f, -4f, 4f, 1f}, l);
    }

    @Test
    void penaltyCanChangeTheGreedyChoice() {
        float[] l = {3f, 2f};
        Sampler s = sampler(2, NOTHING.withTemperature(0f).withRepeatPenalty(2f).withRepeatLastN(-1), 1);
        assertEquals(1, s.sample(l, new int[] {0}, 1)); // 3 / 2 = 1.5 < 2
    }

    @Test
    void sameSeedSameDrawsAndTheDrawFollowsTheDistribution() {
        float[] base = {0f, (float) Math.log(3), 0f, (float) Math.log(4)}; // weights 1, 3, 1, 4: p = 1/9, 3/9, 1/9, 4/9
        Sampler a = sampler(4, NOTHING, 42);
        Sampler b = sampler(4, NOTHING, 42);
        int[] counts = new int[4];
        int[] seqA = new int[200];
        int[] seqB = new int[200];
        for (int i = 0; i < 200; i++) {
            seqA[i] = a.sample(base.clone(), new int[0], 0);
            seqB[i] = b.sample(base.clone(), new int[0], 0);
        }
        assertArrayEquals(seqA, seqB);
        Sampler c = sampler(4, NOTHING, 43);
        int[] seqC = new int[200];
        for (int i = 0; i < 200; i++) {
            seqC[i] = c.sample(base.clone(), new int[0], 0);
        }
        assertNotEquals(java.util.Arrays.toString(seqA), java.util.Arrays.toString(seqC));
        Sampler d = sampler(4, NOTHING, 5);
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            counts[d.sample(base.clone(), new int[0], 0)]++;
        }
        double[] expected = {1 / 9.0, 3 / 9.0, 1 / 9.0, 4 / 9.0};
        for (int i = 0; i < 4; i++) {
            // 4 standard deviations of a binomial proportion at n = 40000 is below 0.011.
            assertEquals(expected[i], counts[i] / (double) n, 0.011, "token " + i);
        }
    }

    @Test
    void lowTemperatureSharpensTheDistribution() {
        float[] base = {0f, 1f};
        Sampler cold = sampler(2, NOTHING.withTemperature(0.05f), 9);
        int ones = 0;
        for (int i = 0; i < 1000; i++) {
            ones += cold.sample(base.clone(), new int[0], 0);
        }
        // p(1) = 1 / (1 + e^-20): essentially always.
        assertTrue(ones >= 999, "token 1 drawn " + ones + " times of 1000");
    }

    @Test
    void badParametersAreOneLineErrors() {
        GenerationParams d = GenerationParams.defaults();
        assertEquals("top-p 1.5 must be in (0, 1] (1 = off)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withTopP(1.5f)).getMessage());
        assertEquals("min-p -0.1 must be in [0, 1] (0 = off)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withMinP(-0.1f)).getMessage());
        assertEquals("temperature NaN must be a finite number (0 = greedy)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withTemperature(Float.NaN)).getMessage());
        assertEquals("repeat penalty 0.0 must be positive (1 = off)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> d.withRepeatPenalty(0f)).getMessage());
    }
}
