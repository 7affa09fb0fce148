package dev.vireo.jmh;

import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import dev.vireo.runtime.lora.AdapterUse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the end-to-end benchmarks share: a real model file opened through the public API only
 * ({@code Model.load}, {@code newSession}, {@code loadAdapter}, {@code setAdapters}), one session
 * with {@code threads} kernel threads, and optionally one LoRA adapter at scale 1.
 *
 * <p>The model has no default (a 1B file is machine-specific): {@code -p model=PATH}. Without it
 * the trial stops in setup with a one-line reason, and JMH goes on with the next benchmark.
 */
@State(Scope.Benchmark)
public abstract class SessionBenchmark {
    /** Positions the session holds: the decode window and the 128-token prompt both fit. */
    static final int CONTEXT = 256;

    /** The GGUF model, e.g. from {@code vireo synth --shape llama-3.2-1b --type q4_0 -o 1b-q4_0.gguf}. */
    @Param({""})
    public String model;

    /** {@code none}, or the path of a llama.cpp GGUF adapter (e.g. from {@code vireo lora synth}) applied at scale 1. */
    @Param({"none"})
    public String adapter;

    @Param({"1", "2"})
    public int threads;

    Model loaded;
    Session session;

    @Setup(Level.Trial)
    public void open() throws IOException {
        if (model.isEmpty()) {
            throw new IllegalArgumentException(benchmarkName() + " skipped: no model; pass -p model=PATH"
                    + " (a GGUF such as `vireo synth --shape llama-3.2-1b --type q4_0 -o 1b-q4_0.gguf` writes)");
        }
        if (ModuleLayer.boot().findModule(Flags.VECTOR_MODULE).isEmpty()) {
            // the runtime would fall back to its scalar kernels, ~10x slower, and say nothing
            throw new IllegalStateException(benchmarkName() + " stopped: the fork has no " + Flags.VECTOR_MODULE
                    + " module; -jvmArgsAppend replaces the forks' own flags, pass extra JVM flags with -jvmArgsPrepend");
        }
        Path file = Path.of(model);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(benchmarkName() + " skipped: -p model=" + model + ": no such file");
        }
        loaded = Model.load(file);
        session = loaded.newSession(new SessionOptions(threads, CONTEXT));
        if (!adapter.equals("none")) {
            Path a = Path.of(adapter);
            if (!Files.isRegularFile(a)) {
                throw new IllegalArgumentException(benchmarkName() + " skipped: -p adapter=" + adapter
                        + ": no such file (none, or a GGUF adapter from `vireo lora synth`)");
            }
            session.setAdapters(List.of(AdapterUse.of(loaded.loadAdapter(a))));
        }
        prepare();
    }

    /** DecodeBenchmark or PrefillBenchmark (JMH runs generated subclasses of them). */
    private String benchmarkName() {
        Class<?> c = getClass();
        while (c.getSuperclass() != null && c.getSuperclass() != SessionBenchmark.class) {
            c = c.getSuperclass();
        }
        return c.getSimpleName();
    }

    /**
     * The benchmark's own set-up, after the session is open (JMH would run a subclass's
     * {@code @Setup} before this class's, when there is no session yet).
     */
    abstract void prepare();

    @TearDown(Level.Trial)
    public void close() {
        if (session != null) {
            session.close();
        }
        if (loaded != null) {
            loaded.close();
        }
    }

    /** {@code n} token ids drawn from the vocabulary past its first 3 (control) tokens; the same for every arm. */
    int[] tokens(int n, long seed) {
        int vocab = loaded.config().vocabSize();
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 3 + r.nextInt(vocab - 3);
        }
        return ids;
    }
}
