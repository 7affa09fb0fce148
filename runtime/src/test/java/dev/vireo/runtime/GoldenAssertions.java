package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison with llama.cpp's golden logits that every golden test makes (with and without
 * adapters), with the tolerances the reference README suggests.
 */
public final class GoldenAssertions {
    private GoldenAssertions() {}

    /** Max |logit diff| per base weight type (reference README, "suggested test tolerances"). */
    public static float tolerance(String type) {
        return switch (type) {
            case "F32" -> 1e-4f;
            case "F16" -> 0.02f;
            case "BF16" -> 0.15f;
            default -> 0.5f;
        };
    }

    /**
     * Asserts {@code ours} (rows x vocab) against llama.cpp's {@code expected}: the max |diff| at
     * every row within the tolerance, the mean within 0.1 for quantized weights, and the greedy
     * choice {@code greedy[k]} at row {@code promptLength - 1 + k} (on non-F32 weights only up to
     * the first step whose top-1/top-2 margin is below 0.2: a near-tie may go either way).
     */
    public static void assertMatchesGolden(String name, String type, float[] expected, float[] ours, int vocab,
            int promptLength, int[] greedy, float[] margins) {
        int rows = expected.length / vocab;
        double sumAbs = 0;
        float worst = 0;
        int worstRow = -1;
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < vocab; i++) {
                float d = Math.abs(ours[row * vocab + i] - expected[row * vocab + i]);
                sumAbs += d;
                if (!(d <= worst)) {
                    worst = d;
                    worstRow = row;
                }
            }
        }
        double mean = sumAbs / ours.length;
        System.out.printf("%s (%s): max |diff| %.3g at row %d, mean %.3g%n", name, type, worst, worstRow, mean);
        float tol = tolerance(type);
        assertTrue(worst <= tol, name + ": max |logit diff| " + worst + " at row " + worstRow + " > " + tol);
        boolean floatWeights = type.equals("F32") || type.equals("F16") || type.equals("BF16");
        if (!floatWeights) {
            assertTrue(mean <= 0.1, name + ": mean |logit diff| " + mean + " > 0.1");
        }
        for (int k = 0; k < greedy.length; k++) {
            if (!type.equals("F32") && margins[k] < 0.2f) {
                break;
            }
            assertEquals(greedy[k], argmax(ours, (promptLength - 1 + k) * vocab, vocab), name + ": greedy token " + k);
        }
    }

    private static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
