package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.runtime.ForwardProfile.Phase;
import dev.vireo.runtime.ForwardProfile.Section;
import dev.vireo.testing.Shared;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The profile accounts for the time of the calls it covers (its sections add up to nearly the
 * wall time measured around them here, never more), puts prompts and generation steps apart,
 * has every kind of work in it, and stays empty while off.
 */
class ForwardProfileTest {
    private static final EnumSet<Section> FORWARD = EnumSet.complementOf(EnumSet.of(Section.SAMPLING));

    @Test
    void sectionsAddUpToTheMeasuredTimeAndEveryKindIsPresent() throws Exception {
        try (Model model = Model.load(Shared.file("models/synthetic/tiny-qwen3-F32.gguf"));
             Session s = model.newSession(new SessionOptions(1, 512, 16))) {
            int[] prompt = tokens(100);
            s.evaluate(prompt); // warm up the code paths once
            s.reset();
            s.setProfiling(true);
            assertTrue(s.isProfiling());
            long t0 = System.nanoTime();
            s.evaluate(prompt); // 7 chunks of 16 tokens (the last one partial)
            long wall = System.nanoTime() - t0;
            ForwardProfile p = s.profile();
            assertEquals(100, p.tokens(Phase.PROMPT));
            assertEquals(0, p.tokens(Phase.GENERATION));
            long sum = p.totalNanos(Phase.PROMPT);
            assertTrue(sum <= wall, "sections " + sum + " ns > wall " + wall + " ns");
            assertTrue(sum >= 0.8 * wall, "sections " + sum + " ns cover less than 80% of the wall " + wall + " ns");
            for (Section sec : Section.values()) {
                assertTrue(p.nanos(Phase.PROMPT, sec) > 0, "prompt: " + sec + " has no time");
                assertEquals(0, p.nanos(Phase.GENERATION, sec), "no generation step yet: " + sec);
            }

            long promptQ = p.nanos(Phase.PROMPT, Section.ATTN_Q);

            // generate: its prompt is pp, its steps and all sampling are tg
            long t1 = System.nanoTime();
            GenerationResult r = s.generate(tokens(5), GenerationParams.defaults().withMaxTokens(8).withSeed(1),
                    (id, text) -> { });
            long wall2 = System.nanoTime() - t1;
            ForwardProfile q = s.profile();
            assertEquals(105, q.tokens(Phase.PROMPT));
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(7, q.tokens(Phase.GENERATION), "8 generated, the last one not run yet");
            for (Section sec : FORWARD) {
                assertTrue(q.nanos(Phase.GENERATION, sec) > 0, "generation: " + sec + " has no time");
            }
            assertTrue(q.nanos(Phase.GENERATION, Section.SAMPLING) > 0, "sampling is timed");
            long added = q.totalNanos(Phase.PROMPT) + q.totalNanos(Phase.GENERATION) - sum;
            assertTrue(added <= wall2, "sections " + added + " ns > wall " + wall2 + " ns");
            assertEquals(promptQ, p.nanos(Phase.PROMPT, Section.ATTN_Q), "a snapshot does not change afterwards");
            assertTrue(q.nanos(Phase.PROMPT, Section.ATTN_Q) > promptQ, "generate's prompt added to it");

            // per-token figures are consistent with the sums
            double ms = 0;
            double share = 0;
            for (Section sec : Section.values()) {
                ms += q.millisPerToken(Phase.PROMPT, sec);
                share += q.share(Phase.PROMPT, sec);
            }
            assertEquals(q.totalMillisPerToken(Phase.PROMPT), ms, 1e-9);
            assertEquals(q.totalNanos(Phase.PROMPT) / 1e6 / 105, ms, 1e-9);
            assertEquals(1.0, share, 1e-9);

            s.clearProfile();
            assertTrue(s.profile().isEmpty());
            s.setProfiling(false);
            s.evaluate(new int[] {3});
            assertTrue(s.profile().isEmpty(), "nothing recorded while off");
        }
    }

    @Test
    void offByDefaultAndNothingRecorded() throws Exception {
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"));
             Session s = model.newSession(new SessionOptions(1, 256))) {
            assertFalse(s.isProfiling());
            s.evaluate(tokens(20));
            s.generate(tokens(3), GenerationParams.defaults().withMaxTokens(4), (id, text) -> { });
            ForwardProfile p = s.profile();
            assertTrue(p.isEmpty());
            for (Phase ph : Phase.values()) {
                assertEquals(0, p.tokens(ph));
                assertEquals(0.0, p.totalMillisPerToken(ph));
                for (Section sec : Section.values()) {
                    assertEquals(0, p.nanos(ph, sec));
                    assertEquals(0.0, p.share(ph, sec));
                }
            }
        }
    }

    /** Ordinary token ids (no BOS/EOS: 3 and up) of a 512-token vocabulary. */
    private static int[] tokens(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + (i * 37) % 500;
        }
        return t;
    }
}
