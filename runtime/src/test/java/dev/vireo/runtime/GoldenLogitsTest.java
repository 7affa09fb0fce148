package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case without adapters: the logits of llama.cpp at every row (rows 0..P-1 from one
 * batched evaluation of the prompt, later rows from one-token steps fed with llama.cpp's greedy
 * tokens), within the tolerances of the reference README, and the same greedy choices.
 */
class GoldenLogitsTest {

    static Stream<String> cases() throws Exception {
        return GoldenCase.plainCaseNames();
    }

    /** Max abs difference allowed per weight type (reference README, "suggested test tolerances"). */
    static float tolerance(String type) {
        return switch (type) {
            case "F32" -> 1e-4f;
            case "F16" -> 0.02f;
            case "BF16" -> 0.15f;
            default -> 0.5f;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndGreedyTokensMatchLlamaCpp(String name) throws Exception {
        GoldenCase g = GoldenCase.load(name);
        int v = g.vocab();
        int p = g.promptTokens().length;
        float[] ours = new float[g.rows() * v];
        try (Model model = Model.load(g.model());
             Session s = model.newSession(new SessionOptions(1, 256))) {
            assertEquals(v, model.config().vocabSize());
            s.evaluate(g.promptTokens(), ours);
            for (int row = p; row < g.rows(); row++) {
                float[] step = s.evaluate(new int[] {g.tokenAt(row)});
                System.arraycopy(step, 0, ours, row * v, v);
            }
        }
        String type = g.weightType();
        float tol = tolerance(type);
        double sumAbs = 0;
        float worst = 0;
        int worstRow = -1;
        for (int row = 0; row < g.rows(); row++) {
            for (int i = 0; i < v; i++) {
                float d = Math.abs(ours[row * v + i] - g.logits()[row * v + i]);
                sumAbs += d;
                if (!(d <= worst)) {
                    worst = d;
                    worstRow = row;
                }
            }
        }
        double mean = sumAbs / ours.length;
        System.out.printf("%s (%s): max |diff| %.3g at row %d, mean %.3g%n", name, type, worst, worstRow, mean);
        assertTrue(worst <= tol, name + ": max |logit diff| " + worst + " at row " + worstRow + " > " + tol);
        if (!type.equals("F32") && !type.equals("F16") && !type.equals("BF16")) {
            assertTrue(mean <= 0.1, name + ": mean |logit diff| " + mean + " > 0.1");
        }
        // Greedy: row P-1+k must pick greedy[k]; on non-F32 models only up to the first near-tie.
        for (int k = 0; k < g.greedyTokens().length; k++) {
            if (!type.equals("F32") && g.margins()[k] < 0.2f) {
                break;
            }
            int row = p - 1 + k;
            int ours1 = Sampler.argmax(java.util.Arrays.copyOfRange(ours, row * v, row * v + v));
            assertEquals(g.greedyTokens()[k], ours1, name + ": greedy token " + k);
        }
    }
}
