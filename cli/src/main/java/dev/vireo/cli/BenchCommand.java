package dev.vireo.cli;

import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import dev.vireo.runtime.lora.AdapterUse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `vireo bench`: prompt processing (pp) and token generation (tg) speed, like llama-bench: pp
 * times one batched pass over N prompt tokens, tg times N one-token steps; each test runs
 * twice to warm up, then {@code -r} times; the table gives mean ± standard deviation. With adapters
 * every test runs with them; with --lora-compare each test runs without and then with them, back
 * to back in the same session, so the ratio is measured under the same conditions.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt (pp) and generation (tg) tokens/s, like llama-bench: mean ± sd over"
                + " repetitions, one row per test, thread count, batch size (and adapter setting).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "128", paramLabel = "N",
            description = "Prompt tokens of the pp test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", paramLabel = "N",
            description = "Generated tokens of the tg test; 0 skips it (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-t", "--threads"}, defaultValue = "1", split = ",", paramLabel = "N[,N...]",
            description = "Thread counts to test, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "" + SessionOptions.DEFAULT_BATCH, split = ",",
            paramLabel = "N[,N...]", description = "Prompt batch sizes to test, comma-separated: the pp test's prompt"
                    + " goes through the matrix-matrix kernels in chunks of N tokens (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", paramLabel = "N",
            description = "Measured runs per test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Mixin
    LoraOptions lora;

    @Option(names = "--lora-compare", description = "Run every test without and then with the adapters given by"
            + " --lora/--lora-scaled; the table gets their ratio (with / without).")
    boolean loraCompare;

    @Option(names = "--json", description = "Print JSON instead of the table.")
    boolean json;

    @Option(names = "--profile", description = "Also time each section of the forward pass (projections by tensor,"
            + " attention, norms, output, sampling/logits, other) over the measured runs: a table of ms/token and %%"
            + " per test after the bench table, a \"profile\" object per row in --json.")
    boolean profile;

    private final Io io;

    BenchCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        List<AdapterSpec> specs = lora.specs();
        if (loraCompare && specs.isEmpty()) {
            throw new UsageException("--lora-compare: no adapters to compare; give them with --lora FILE or"
                    + " --lora-scaled FILE:SCALE");
        }
        Files2.requireFile(model, "-m");
        List<BenchRow> rows = new ArrayList<>();
        try (Model m = Model.load(model)) {
            int needed = Math.max(nPrompt, nGen + 1);
            if (needed > m.config().contextLength()) {
                throw new UsageException("-p/-n: " + needed + " positions do not fit the model's context of "
                        + m.config().contextLength());
            }
            io.err().println("vireo: " + m.describe());
            List<AdapterUse> adapters = lora.load(m);
            String adapterLabel = specs.isEmpty() ? BenchRow.NO_ADAPTER : label(specs);
            int[] prompt = randomTokens(m, nPrompt, 1234);
            int[] generated = randomTokens(m, nGen, 5678);
            for (int t : threads) {
                for (int b : batchSizes) {
                    try (Session s = m.newSession(new SessionOptions(t, needed, b))) {
                        io.err().println("vireo: " + t + " threads, batch " + s.batchSize() + ", " + s.kernelDescription());
                        Test pp = new Test("pp" + nPrompt, nPrompt, () -> prompt(s, prompt));
                        Test tg = new Test("tg" + nGen, nGen, () -> generate(s, generated));
                        for (Test test : List.of(pp, tg)) {
                            if (test.tokens() == 0) {
                                continue;
                            }
                            BenchRow base = null;
                            if (loraCompare) {
                                s.setAdapters(List.of());
                                base = measure(s, test, b, BenchRow.NO_ADAPTER, null);
                                rows.add(base);
                            }
                            s.setAdapters(adapters);
                            rows.add(measure(s, test, b, adapterLabel, base));
                        }
                    }
                }
            }
            BenchReport report = new BenchReport(m, model, repetitions, rows);
            if (json) {
                report.printJson(io.out());
            } else {
                report.printTable(io.out(), profile);
            }
        }
        return 0;
    }

    private void validate() {
        if (nPrompt < 0 || nGen < 0 || nPrompt + nGen == 0) {
            throw new UsageException("-p/-n: token counts must be 0 or more and not both 0 (got -p " + nPrompt + " -n " + nGen + ")");
        }
        if (repetitions < 1) {
            throw new UsageException("-r: repetitions must be 1 or more, not " + repetitions);
        }
        for (int t : threads) {
            if (t < 1) {
                throw new UsageException("-t: thread counts must be 1 or more, not " + t);
            }
        }
        for (int b : batchSizes) {
            if (b < 1) {
                throw new UsageException("-b: batch sizes must be 1 or more, not " + b);
            }
        }
    }

    /** A pp or tg test: its name, its tokens, and one run of it. */
    private record Test(String name, int tokens, Runnable run) {}

    /**
     * Runs twice to warm up, then {@code repetitions} times: the row with the tokens/s of each
     * measured run, and with --profile what the session's profile collected over them. Two
     * warm-up runs, because after one the JIT was still compiling when the test used every core:
     * the first measured 2-thread pp128 run with an adapter ran at 59-63 tok/s, the second at
     * 67-71 (1B, 2 cores).
     */
    private BenchRow measure(Session s, Test test, int batch, String adapter, BenchRow baseline) {
        s.setProfiling(profile);
        test.run().run();
        test.run().run();
        s.clearProfile();
        double[] tps = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long t0 = System.nanoTime();
            test.run().run();
            tps[i] = test.tokens() * 1e9 / (System.nanoTime() - t0);
        }
        return new BenchRow(test.name(), s.threads(), batch, adapter, s.kernelDescription(), test.tokens(), tps,
                profile ? s.profile() : null, baseline);
    }

    private static void prompt(Session s, int[] tokens) {
        s.reset();
        s.evaluate(tokens);
    }

    /** n one-token steps from an empty context, as llama-bench's tg test does (no sampling). */
    private static void generate(Session s, int[] tokens) {
        s.reset();
        int[] one = new int[1];
        for (int t : tokens) {
            one[0] = t;
            s.evaluate(one);
        }
    }

    /** "a.gguf+b.gguf:0.5": the adapters' file names, with the scale when it is not 1. */
    static String label(List<AdapterSpec> specs) {
        List<String> parts = new ArrayList<>();
        for (AdapterSpec a : specs) {
            Path name = a.path().getFileName();
            String file = name == null ? a.path().toString() : name.toString();
            parts.add(a.scale() == 1f ? file : file + ":" + a.scale());
        }
        return String.join("+", parts);
    }

    /** Fixed pseudo-random ordinary tokens (no control tokens), the same for every run. */
    private static int[] randomTokens(Model m, int n, long seed) {
        int vocab = m.config().vocabSize();
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = Math.min(vocab - 1, 3 + r.nextInt(Math.max(1, vocab - 3)));
        }
        return t;
    }
}
