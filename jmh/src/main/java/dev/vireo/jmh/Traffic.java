package dev.vireo.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes read from memory, reported by JMH next to the score as {@code bytes} in "ops/s", which
 * here means bytes per second (divide by 1e9 for GB/s). Per thread; JMH sums the threads.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Traffic {
    /** Bytes read in this iteration. Public: JMH reads it. */
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
