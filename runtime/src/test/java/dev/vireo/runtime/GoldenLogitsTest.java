package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        GoldenAssertions.assertMatchesGolden(name, g.weightType(), g.logits(), ours, v, p, g.greedyTokens(), g.margins());
    }
}
