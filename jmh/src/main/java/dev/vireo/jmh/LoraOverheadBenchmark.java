package dev.vireo.jmh;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.LowRank;
import dev.vireo.kernels.LowRankSet;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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
 * Cost of a fused rank-16 LoRA term on the 2048x8192 (ffn_down) matvec: compare
 * {@code lora=none} with {@code lora=r16} (F32 A and B) or {@code r16-f16} (F16 A and B) at the
 * same type and thread count. The target is at most 3 % more time. As in
 * {@link MatvecBenchmark}, calls rotate over copies of W spanning 256 MiB so W comes from memory;
 * each copy has its own adapter, like the layers of a model.
 *
 * <p>The floor of a memory-bound kernel is the adapter's extra bytes: A and B of rank 16 in F32
 * are 640 KiB, which is +6.8 % of a Q4_0 W (9.0 MiB) and +3.6 % of a Q8_0 W (17 MiB); in F16 half
 * of that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.DIRECT, Flags.UNSAFE})
public class LoraOverheadBenchmark {
    static final int ROWS = 2048;
    static final int COLS = 8192;
    static final int RANK = 16;

    @Param({"Q4_0", "Q8_0", "Q4_K"})
    public String type;

    @Param({"1", "2"})
    public int threads;

    @Param({"none", "r16", "r16-f16"})
    public String lora;

    private Arena arena;
    private MatrixKernels kernels;
    private WeightMatrix[] copies;
    private LowRankSet[] adapters;
    private long weightBytes;
    private float[] x;
    private float[] y;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        GgmlType t = GgmlType.fromName(type);
        arena = Arena.ofShared();
        WeightMatrix first = RandomWeights.matrix(t, ROWS, COLS, arena, 42);
        weightBytes = first.byteSize();
        int n = (int) Math.max(1, (MatvecBenchmark.FOOTPRINT + weightBytes - 1) / weightBytes);
        copies = new WeightMatrix[n];
        adapters = new LowRankSet[n];
        for (int i = 0; i < n; i++) {
            if (i == 0) {
                copies[i] = first;
            } else {
                MemorySegment data = arena.allocate(weightBytes, 64);
                MemorySegment.copy(first.data(), 0, data, 0, weightBytes);
                copies[i] = new WeightMatrix(t, ROWS, COLS, data);
            }
            adapters[i] = switch (lora) {
                case "none" -> null;
                case "r16" -> adapter(GgmlType.F32, i);
                case "r16-f16" -> adapter(GgmlType.F16, i);
                default -> throw new IllegalArgumentException("lora '" + lora + "' must be none, r16 or r16-f16");
            };
        }
        kernels = KernelProvider.matrixKernels(threads);
        x = RandomWeights.floats(COLS, 1f, 7);
        y = new float[ROWS];
    }

    private LowRankSet adapter(GgmlType type, int seed) {
        return new LowRankSet(List.of(new LowRank(RandomWeights.matrix(type, RANK, COLS, arena, 100 + seed),
                RandomWeights.matrix(type, ROWS, RANK, arena, 200 + seed), 2f)), ROWS, COLS, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernels.close();
        arena.close();
    }

    /** Reports base-weight bytes only, so GB/s stays comparable with and without the adapter. */
    @Benchmark
    public float matvec(Traffic traffic) {
        int i = next;
        next = i + 1 == copies.length ? 0 : i + 1;
        kernels.matvec(copies[i], x, 0, y, 0, adapters[i]);
        traffic.bytes += weightBytes;
        return y[0];
    }
}
