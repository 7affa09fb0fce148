package dev.vireo.jmh;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode matvec ({@code y = W x}, one token) per weight type on the Llama-3.2-1B shapes, Vector
 * API and scalar kernels, 1 and 2 threads. Reports {@code bytes}: weight bytes read per second.
 *
 * <p>Decode streams every weight once per token, from memory, never from cache. A single 2048x2048
 * Q4_0 matrix (2.4 MB) would sit in the 32 MB L3 and measure cache bandwidth instead, so each
 * trial holds enough copies of the matrix to span at least {@link #FOOTPRINT} bytes and every
 * call takes the next copy, as the layers of a model follow each other.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.DIRECT, Flags.UNSAFE})
public class MatvecBenchmark {
    /** Bytes the rotating copies span together: 8x the L3 of the reference machine. */
    static final long FOOTPRINT = Long.getLong("vireo.footprint", 256L << 20);

    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    public String type;

    /** rows x cols: q/o, k/v (8 KV heads), gate/up, down, tied output. */
    @Param({"2048x2048", "512x2048", "8192x2048", "2048x8192", "128256x2048"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    /** "vector": KernelProvider.matrixKernels; "scalar": the plain reference kernels. */
    @Param({"vector", "scalar"})
    public String impl;

    private Arena arena;
    private MatrixKernels kernels;
    private WeightMatrix[] copies;
    private long matrixBytes;
    private float[] x;
    private float[] y;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Shape s = Shape.parse(shape);
        GgmlType t = GgmlType.fromName(type);
        arena = Arena.ofShared();
        WeightMatrix first = RandomWeights.matrix(t, s.rows(), s.cols(), arena, 42);
        matrixBytes = first.byteSize();
        copies = new WeightMatrix[(int) Math.max(1, (FOOTPRINT + matrixBytes - 1) / matrixBytes)];
        copies[0] = first;
        for (int i = 1; i < copies.length; i++) {
            MemorySegment data = arena.allocate(matrixBytes, 64);
            MemorySegment.copy(first.data(), 0, data, 0, matrixBytes);
            copies[i] = new WeightMatrix(t, s.rows(), s.cols(), data);
        }
        kernels = switch (impl) {
            case "vector" -> KernelProvider.matrixKernels(threads);
            case "scalar" -> KernelProvider.scalarMatrixKernels(threads);
            default -> throw new IllegalArgumentException("impl '" + impl + "' must be vector or scalar");
        };
        x = RandomWeights.floats(s.cols(), 1f, 7);
        y = new float[s.rows()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernels.close();
        arena.close();
    }

    @Benchmark
    public float matvec(Traffic traffic) {
        WeightMatrix w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        kernels.matvec(w, x, 0, y, 0, null);
        traffic.bytes += matrixBytes;
        return y[0];
    }
}
