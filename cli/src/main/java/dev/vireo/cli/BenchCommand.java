package dev.vireo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.runtime.ForwardProfile;
import dev.vireo.runtime.ForwardProfile.Phase;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `vireo bench`: prompt processing (pp) and token generation (tg) speed, like llama-bench: pp
 * times one batched pass over N prompt tokens, tg times N one-token steps; each test runs once
 * to warm up, then {@code -r} times; the table gives mean ± standard deviation.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt (pp) and generation (tg) tokens/s, like llama-bench: mean ± sd over"
                + " repetitions, one row per test and thread count.")
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

    @Option(names = "--json", description = "Print JSON instead of the table.")
    boolean json;

    @Option(names = "--profile", description = "Also time each section of the forward pass (projections by tensor,"
            + " attention, norms, output, sampling/logits, other) over the measured runs: a table of ms/token and %"
            + " per test after the bench table, a \"profile\" object per row in --json.")
    boolean profile;

    private final Io io;

    BenchCommand(Io io) {
        this.io = io;
    }

    /**
     * One row: a test at a thread count and batch size, with the tokens/s of every measured run and,
     * with --profile, the profile collected over those runs (else null).
     */
    record Row(String test, int threads, int batch, String kernels, int tokens, double[] tokensPerSecond,
            ForwardProfile profile) {
        /** The profile's phase this row's test ran in. */
        Phase phase() {
            return test.startsWith("pp") ? Phase.PROMPT : Phase.GENERATION;
        }

        /** Column title of the profile table: "pp128 t2 b256". */
        String title() {
            return test + " t" + threads + " b" + batch;
        }

        double mean() {
            double s = 0;
            for (double v : tokensPerSecond) {
                s += v;
            }
            return s / tokensPerSecond.length;
        }

        /** Sample standard deviation (0 for one run). */
        double sd() {
            if (tokensPerSecond.length < 2) {
                return 0;
            }
            double m = mean();
            double s = 0;
            for (double v : tokensPerSecond) {
                s += (v - m) * (v - m);
            }
            return Math.sqrt(s / (tokensPerSecond.length - 1));
        }
    }

    @Override
    public Integer call() throws Exception {
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
        Files2.requireFile(model, "-m");
        List<Row> rows = new ArrayList<>();
        try (Model m = Model.load(model)) {
            int needed = Math.max(nPrompt, nGen + 1);
            if (needed > m.config().contextLength()) {
                throw new UsageException("-p/-n: " + needed + " positions do not fit the model's context of "
                        + m.config().contextLength());
            }
            io.err().println("vireo: " + m.describe());
            int[] prompt = randomTokens(m, nPrompt, 1234);
            int[] generated = randomTokens(m, nGen, 5678);
            for (int t : threads) {
                for (int b : batchSizes) {
                    try (Session s = m.newSession(new SessionOptions(t, needed, b))) {
                        io.err().println("vireo: " + t + " threads, batch " + s.batchSize() + ", " + s.kernelDescription());
                        if (nPrompt > 0) {
                            rows.add(measure(s, "pp" + nPrompt, b, () -> prompt(s, prompt), nPrompt));
                        }
                        if (nGen > 0) {
                            rows.add(measure(s, "tg" + nGen, b, () -> generate(s, generated), nGen));
                        }
                    }
                }
            }
            if (json) {
                printJson(m, rows);
            } else {
                printTable(m, rows);
                if (profile) {
                    ProfileReport.printTable(io.out(), rows.stream().map(BenchCommand::profileColumn).toList());
                }
            }
        }
        return 0;
    }

    /**
     * Runs once to warm up, then {@code repetitions} times: the row with the tokens/s of each
     * measured run, and with --profile what the session's profile collected over them.
     */
    private Row measure(Session s, String test, int batch, Runnable run, int tokens) {
        s.setProfiling(profile);
        run.run();
        s.clearProfile();
        double[] tps = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long t0 = System.nanoTime();
            run.run();
            tps[i] = tokens * 1e9 / (System.nanoTime() - t0);
        }
        return new Row(test, s.threads(), batch, s.kernelDescription(), tokens, tps, profile ? s.profile() : null);
    }

    private static ProfileReport.Column profileColumn(Row r) {
        return new ProfileReport.Column(r.title(), r.profile(), r.phase());
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

    private void printTable(Model m, List<Row> rows) {
        GgufReport report = new GgufReport(m.file());
        String modelName = report.architecture() + " " + Units.count(report.parameterCount()).replace(" ", "") + " "
                + report.mainType();
        io.out().printf(Locale.ROOT, "| %-28s | %10s | %9s | %7s | %7s | %8s | %20s |%n", "model", "size", "params",
                "threads", "n_batch", "test", "t/s");
        io.out().printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", "-".repeat(28), "-".repeat(10),
                "-".repeat(9), "-".repeat(7), "-".repeat(7), "-".repeat(8), "-".repeat(20));
        for (Row r : rows) {
            io.out().printf(Locale.ROOT, "| %-28s | %10s | %9s | %7d | %7d | %8s | %20s |%n", truncate(modelName, 28),
                    Units.bytes(m.file().fileSize()), Units.count(report.parameterCount()), r.threads(), r.batch(),
                    r.test(), String.format(Locale.ROOT, "%.2f ± %.2f", r.mean(), r.sd()));
        }
    }

    private void printJson(Model m, List<Row> rows) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode out = mapper.createArrayNode();
        for (Row r : rows) {
            ObjectNode o = out.addObject();
            o.put("model_file", model.toString());
            o.put("model_type", m.describe());
            o.put("model_size", m.file().fileSize());
            o.put("model_n_params", parameterCount(m));
            o.put("kernels", r.kernels());
            o.put("n_threads", r.threads());
            o.put("n_batch", r.batch());
            o.put("n_prompt", r.test().startsWith("pp") ? r.tokens() : 0);
            o.put("n_gen", r.test().startsWith("tg") ? r.tokens() : 0);
            o.put("repetitions", repetitions);
            o.put("avg_ts", r.mean());
            o.put("stddev_ts", r.sd());
            ArrayNode samples = o.putArray("samples_ts");
            for (double v : r.tokensPerSecond()) {
                samples.add(v);
            }
            if (r.profile() != null) {
                ProfileReport.putJson(o.putObject("profile"), profileColumn(r));
            }
        }
        io.out().println(mapper.writeValueAsString(out));
    }

    private static long parameterCount(Model m) {
        long n = 0;
        for (var t : m.file().tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
