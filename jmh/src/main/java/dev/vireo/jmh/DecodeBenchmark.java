package dev.vireo.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decode step of a whole model: {@code Session.evaluate} of one token, logits included, at
 * the next position. Score = tokens/s.
 *
 * <p>Positions cycle through {@code 0 .. WINDOW-1} (the session is reset at the end of the
 * window), as llama-bench's tg64 does from an empty context, so both arms ({@code adapter=none}
 * and an adapter) pay the same attention cost whatever their speed: the attention over at most
 * 64 positions is well under 1 % of a 1B step, so a partly covered last window cannot tilt the
 * ratio. The step allocates nothing: {@code -prof gc} shows ~0 B/op.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.UNSAFE})
public class DecodeBenchmark extends SessionBenchmark {
    /** Positions one cycle of decode steps covers. */
    static final int WINDOW = 64;

    private int[] window;
    private final int[] one = new int[1];
    private float[] logits;

    @Override
    void prepare() {
        window = tokens(WINDOW, 1);
        logits = new float[loaded.config().vocabSize()];
    }

    @Benchmark
    public float decodeStep() {
        int pos = session.position();
        if (pos == WINDOW) {
            session.reset();
            pos = 0;
        }
        one[0] = window[pos];
        session.evaluate(one, logits);
        return logits[one[0]];
    }
}
