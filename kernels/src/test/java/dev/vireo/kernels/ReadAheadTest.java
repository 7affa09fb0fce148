package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    /** Byte i holds i % 7 + 1, so a sum tells which offsets were loaded. */
    private static MemorySegment numbered(Arena arena, int size) {
        MemorySegment s = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 7 + 1));
        }
        return s;
    }

    private static int expected(long from, long end) {
        int sum = 0;
        for (long o = from; o < end; o += 64) {
            sum += (int) (o % 7 + 1);
        }
        return sum;
    }

    @Test
    void loadsOneByteEvery64FromDistanceAheadOfTheRow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = numbered(arena, 4099);
            long d = ReadAhead.DISTANCE;
            assertEquals(expected(d, d + 1152), ReadAhead.touch(s, 0, 1152));
            assertEquals(expected(37 + d, 37 + d + 130), ReadAhead.touch(s, 37, 130));
        }
    }

    @Test
    void stopsAtTheEndOfTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = numbered(arena, 4099);
            // the last rows of a matrix: the lines ahead of them are partly or wholly past its end
            assertEquals(expected(3001 + ReadAhead.DISTANCE, 4099), ReadAhead.touch(s, 3001, 1152));
            assertEquals(0, ReadAhead.touch(s, 4000, 99));
        }
    }
}
