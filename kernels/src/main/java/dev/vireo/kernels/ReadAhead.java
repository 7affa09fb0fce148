package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Loads one byte of every cache line a row kernel is about to read, so that the row's cache
 * misses are in flight together instead of a few at a time.
 *
 * <p>Why: a decode kernel spends about 30 instructions on each 32-weight block, so the core's
 * out-of-order window holds only a few hundred bytes of the weight stream, which is 4-5 cache
 * lines in flight. Where the hardware prefetcher keeps ahead of the stream that is enough; where
 * it does not (a 2-core Xeon VM: the Q4_0 kernel read 7.5 GB/s from L3 but 2.9 GB/s from
 * memory, while a plain read loop reached 15 GB/s), every line costs most of a memory latency.
 * A burst of one load per line at the start of each row puts the whole row's misses in flight
 * at once: 2.9 -> 6.0 GB/s on that machine (Q4_0, 2048- and 8192-wide rows, a 1.2 GB matrix,
 * 1 thread). Java has no prefetch instruction; a load whose value is kept is the stand-in.
 */
final class ReadAhead {
    private ReadAhead() {}

    /**
     * How far ahead of a row's start its touches begin: with a row read as one burst, starting
     * the burst a little into the row beat starting it at the next row (8192-wide Q4_0 rows:
     * 5.2 against 4.3-4.8 GB/s for one row ahead; 2048-wide: 6.3 against 6.0).
     */
    static final long DISTANCE = 512;
    private static final long LINE = 64;

    /** Written only if {@link #keep} is ever given an impossible sum: never, in practice. */
    static int sink;

    /**
     * Keeps the touches' loads alive: C2 drops a load whose value nobody uses, and it cannot
     * prove that a sum of loaded bytes never equals this constant. A plain store of every sum
     * instead would bounce the field's cache line between the threads once per chunk of rows.
     */
    static void keep(int touched) {
        if (touched == Integer.MIN_VALUE) {
            sink = touched;
        }
    }

    /**
     * Touches the cache lines of {@code [off + DISTANCE, off + DISTANCE + len)} that lie inside
     * {@code s} (one load per 64 bytes) and returns their sum.
     */
    static int touch(MemorySegment s, long off, long len) {
        long from = off + DISTANCE;
        long end = Math.min(from + len, s.byteSize());
        int sum = 0;
        for (long o = from; o < end; o += LINE) {
            sum += s.get(ValueLayout.JAVA_BYTE, o);
        }
        return sum;
    }
}
