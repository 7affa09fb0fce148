package dev.vireo.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prompt processing of a whole model: reset, then {@code Session.evaluate} of a 128-token prompt
 * (llama-bench's pp128: batched through the tiled matmul, logits of the last token only). Score =
 * prompt tokens/s ({@code @OperationsPerInvocation}). An invocation takes seconds, so the
 * iterations are longer than the decode benchmark's; {@code evaluate} returns a copy of the
 * logits (0.5 MB on a 128k vocabulary), once per prompt, not per token.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 6)
@Measurement(iterations = 3, time = 6)
@Fork(value = 1, jvmArgsAppend = {Flags.ADD_MODULES, Flags.VECTOR_MODULE, Flags.NATIVE, Flags.HEAP, Flags.UNSAFE})
public class PrefillBenchmark extends SessionBenchmark {
    static final int PROMPT = 128;

    private int[] prompt;

    @Override
    void prepare() {
        prompt = tokens(PROMPT, 2);
    }

    @Benchmark
    @OperationsPerInvocation(PROMPT)
    public float prefill() {
        session.reset();
        return session.evaluate(prompt)[0];
    }
}
