package dev.vireo.jmh;

import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.Rope;
import dev.vireo.kernels.VectorOps;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The small ops of one Llama-3.2-1B layer at decode, Vector API against scalar: shows that the
 * lane-wise exp/tanh/sin/cos and shuffles compile to SIMD (a per-lane fallback would make the
 * vector version slower than scalar, not faster). Average time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.UNSAFE})
public class VectorOpsBenchmark {
    static final int DIM = 2048;
    static final int FF = 8192;
    static final int HEADS = 32;
    static final int KV_HEADS = 8;
    static final int HEAD_DIM = 64;

    @Param({"vector", "scalar"})
    public String impl;

    /** Cached positions the attention reads (the context so far). */
    @Param({"1024", "4096"})
    public int positions;

    private VectorOps ops;
    private float[] x;
    private float[] out;
    private float[] weight;
    private float[] gate;
    private float[] up;
    private float[] work;
    private float[] q;
    private float[] keys;
    private float[] values;
    private float[] scores;
    private float[] headKeys;
    private float[] headValues;
    private float[] attn;
    private float[] invFreq;
    private float[] logits;

    @Setup(Level.Trial)
    public void setUp() {
        ops = switch (impl) {
            case "vector" -> KernelProvider.vectorOps();
            case "scalar" -> KernelProvider.scalarVectorOps();
            default -> throw new IllegalArgumentException("impl '" + impl + "' must be vector or scalar");
        };
        x = RandomWeights.floats(DIM, 1f, 1);
        out = new float[DIM];
        weight = RandomWeights.floats(DIM, 1f, 2);
        gate = RandomWeights.floats(FF, 2f, 3);
        up = RandomWeights.floats(FF, 1f, 4);
        work = new float[FF];
        q = RandomWeights.floats(HEADS * HEAD_DIM, 1f, 5);
        keys = RandomWeights.floats(positions * KV_HEADS * HEAD_DIM, 1f, 6);
        values = RandomWeights.floats(positions * KV_HEADS * HEAD_DIM, 1f, 7);
        headKeys = RandomWeights.floats(positions * HEAD_DIM, 1f, 9);
        headValues = RandomWeights.floats(positions * HEAD_DIM, 1f, 10);
        scores = new float[positions];
        attn = new float[HEADS * HEAD_DIM];
        invFreq = Rope.inverseFrequencies(HEAD_DIM, 500000f, null, 1f);
        logits = RandomWeights.floats(128256, 3f, 8);
    }

    @Benchmark
    public float rmsNorm() {
        ops.rmsNorm(out, 0, x, 0, weight, DIM, 1e-5f);
        return out[0];
    }

    /** The query heads, adjacent-pair rotation (llama), at a late position. */
    @Benchmark
    public float ropeNormal() {
        ops.rope(q, 0, HEADS, HEAD_DIM, 4000, invFreq, false);
        return q[0];
    }

    @Benchmark
    public float ropeNeox() {
        ops.rope(q, 0, HEADS, HEAD_DIM, 4000, invFreq, true);
        return q[0];
    }

    /** The FFN activation; works on a copy of gate (same copy cost in both impls) so inputs stay put. */
    @Benchmark
    public float swiglu() {
        System.arraycopy(gate, 0, work, 0, FF);
        ops.swiglu(work, 0, up, 0, FF);
        return work[0];
    }

    @Benchmark
    public float geglu() {
        System.arraycopy(gate, 0, work, 0, FF);
        ops.geglu(work, 0, up, 0, FF);
        return work[0];
    }

    @Benchmark
    public float softmaxOverPositions() {
        System.arraycopy(logits, 0, scores, 0, positions);
        ops.softmax(scores, 0, positions);
        return scores[0];
    }

    /** All heads in one call over a cache that interleaves the KV heads per position. */
    @Benchmark
    public float attention() {
        ops.attention(q, 0, keys, values, 0, positions, HEADS, KV_HEADS, HEAD_DIM, 0.125f, scores, attn, 0);
        return attn[0];
    }

    /**
     * As the runtime calls it: one call per KV head over that head's own contiguous cache (the
     * same total work; the benchmark reuses one head's cache, which is where the runtime's are).
     */
    @Benchmark
    public float attentionPerKvHead() {
        int group = HEADS / KV_HEADS;
        for (int kv = 0; kv < KV_HEADS; kv++) {
            int off = kv * group * HEAD_DIM;
            ops.attention(q, off, headKeys, headValues, 0, positions, group, 1, HEAD_DIM, 0.125f, scores, attn, off);
        }
        return attn[0];
    }

    @Benchmark
    public int argmaxOverVocabulary() {
        return ops.argmax(logits, 0, logits.length);
    }
}
