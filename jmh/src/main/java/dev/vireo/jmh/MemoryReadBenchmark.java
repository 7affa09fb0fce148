package dev.vireo.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The machine's plain read bandwidth, the roof the matvec kernels are measured against: a Vector
 * API float sum over a 1 GiB off-heap segment (32x the L3), by 1 thread and by 2 threads each
 * streaming through its own half. Reports {@code bytes}: bytes read per second, summed over
 * threads. One call sums the next {@link #CHUNK} of the thread's part: short calls keep JMH's
 * iteration-boundary error small (with 2 threads JMH counts calls that end after the window).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.DIRECT, Flags.UNSAFE})
public class MemoryReadBenchmark {
    static final long SIZE = 1L << 30;
    static final long CHUNK = 16L << 20;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long STEP = 4L * F.vectorByteSize();

    /** The segment, shared by the threads of one benchmark. */
    @State(Scope.Benchmark)
    public static class Memory {
        Arena arena;
        MemorySegment data;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            data = arena.allocate(SIZE, 4096);
            data.fill((byte) 0x3c); // touch every page so the first iteration measures reads, not faults
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The chunks of the segment one thread reads, in turn. */
    @State(Scope.Thread)
    public static class Slice {
        MemorySegment[] chunks;
        int next;

        @Setup(Level.Trial)
        public void setUp(Memory memory, ThreadParams threads) {
            long size = SIZE / threads.getThreadCount();
            chunks = new MemorySegment[(int) (size / CHUNK)];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = memory.data.asSlice(threads.getThreadIndex() * size + i * CHUNK, CHUNK);
            }
        }

        MemorySegment next() {
            MemorySegment chunk = chunks[next];
            next = next + 1 == chunks.length ? 0 : next + 1;
            return chunk;
        }
    }

    @Benchmark
    @Threads(1)
    public float read1Thread(Slice slice, Traffic traffic) {
        return sum(slice.next(), traffic);
    }

    @Benchmark
    @Threads(2)
    public float read2Threads(Slice slice, Traffic traffic) {
        return sum(slice.next(), traffic);
    }

    /** Sum of the segment as floats, four independent accumulators so loads are the only limit. */
    static float sum(MemorySegment s, Traffic traffic) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        long size = s.byteSize();
        long vb = F.vectorByteSize();
        ByteOrder order = ByteOrder.nativeOrder();
        for (long off = 0; off <= size - STEP; off += STEP) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, s, off, order));
            a1 = a1.add(FloatVector.fromMemorySegment(F, s, off + vb, order));
            a2 = a2.add(FloatVector.fromMemorySegment(F, s, off + 2 * vb, order));
            a3 = a3.add(FloatVector.fromMemorySegment(F, s, off + 3 * vb, order));
        }
        traffic.bytes += size;
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
