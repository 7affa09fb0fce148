package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vireo.testing.Shared;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The decode step allocates nothing, with profiling off and on: measured with the JVM's
 * per-thread allocation counter over many steps (positions 600-900, then 900-1200 profiled). The
 * scalar kernels are used because they allocate nothing even before the JIT compiles them (Vector
 * API code boxes vectors until C2 has compiled it), so the count is exact and only the runtime's
 * own code is measured; the sampler is included.
 */
class DecodeAllocationTest {

    @Test
    void decodeStepsAndSamplingAllocateNothing() throws Exception {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is off");
        try (Model model = Model.load(Shared.file("models/stories260K.gguf"), new ModelOptions(true));
             Session s = model.newSession(new SessionOptions(1, 0))) {
            int v = model.config().vocabSize();
            float[] logits = new float[v];
            int[] one = {1};
            Sampler sampler = new Sampler(v);
            sampler.configure(GenerationParams.defaults().withSeed(3).withRepeatPenalty(1.1f), 3);
            int[] history = new int[1200];
            // Warm up long enough for class loading and first-call paths to be done.
            for (int i = 0; i < 600; i++) {
                s.evaluate(one, logits);
                history[i] = one[0] = sampler.sample(logits, history, i);
            }
            long tid = Thread.currentThread().threadId();
            long before = counter.getThreadAllocatedBytes(tid);
            long overhead = counter.getThreadAllocatedBytes(tid) - before; // the counter's own cost
            before = counter.getThreadAllocatedBytes(tid);
            for (int i = 600; i < 900; i++) {
                s.evaluate(one, logits);
                history[i] = one[0] = sampler.sample(logits, history, i);
            }
            long allocated = counter.getThreadAllocatedBytes(tid) - before - overhead;
            // Any allocation per step (the smallest object takes 16 bytes) would reach 4800 bytes;
            // what remains of JIT warm-up is a few objects in all (measured: 144 bytes).
            assertTrue(allocated < 300 * 16, allocated + " bytes allocated by 300 decode steps with sampling");

            s.setProfiling(true);
            for (int i = 900; i < 950; i++) { // warm up the profiled path
                s.evaluate(one, logits);
                history[i] = one[0] = sampler.sample(logits, history, i);
            }
            before = counter.getThreadAllocatedBytes(tid);
            for (int i = 950; i < 1200; i++) {
                s.evaluate(one, logits);
                history[i] = one[0] = sampler.sample(logits, history, i);
            }
            allocated = counter.getThreadAllocatedBytes(tid) - before - overhead;
            assertTrue(allocated < 250 * 16, allocated + " bytes allocated by 250 profiled decode steps");
            assertTrue(s.profile().tokens(ForwardProfile.Phase.GENERATION) == 300, "the steps were profiled");
        }
    }
}
