package dev.vireo.jmh;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.lang.foreign.Arena;
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
 * One prompt-batch product {@code Y = W X} of {@code n} tokens (no LoRA), through the per-row
 * kernels ({@code path=rows}: each weight row decoded once per token, 8-bit activations) or the
 * tiled dequantize-once matmul ({@code path=tiled}). The score is products per second: tokens/s
 * of this matrix = score x n, GFLOP/s = score x 2 x rows x cols x n / 1e9. A prompt is compute
 * bound, so W is one copy (it stays partly in cache; the old path reads it once per call too).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.DIRECT, Flags.UNSAFE})
public class PrefillMatmulBenchmark {
    @Param({"Q4_0", "Q8_0", "Q4_K"})
    public String type;

    @Param({"2048x2048", "8192x2048", "2048x8192"})
    public String shape;

    @Param({"64", "128"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"rows", "tiled"})
    public String path;

    private Arena arena;
    private MatrixKernels kernels;
    private WeightMatrix w;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        Shape s = Shape.parse(shape);
        arena = Arena.ofShared();
        w = RandomWeights.matrix(GgmlType.fromName(type), s.rows(), s.cols(), arena, 42);
        x = RandomWeights.floats(n * s.cols(), 1f, 7);
        y = new float[n * s.rows()];
        kernels = switch (path) {
            case "rows" -> KernelProvider.matrixKernels(threads, false);
            case "tiled" -> KernelProvider.matrixKernels(threads, true);
            default -> throw new IllegalArgumentException("path '" + path + "' must be rows or tiled");
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernels.close();
        arena.close();
    }

    @Benchmark
    public float matmul() {
        kernels.matmul(w, x, 0, w.cols(), y, 0, w.rows(), n, null);
        return y[0];
    }
}
