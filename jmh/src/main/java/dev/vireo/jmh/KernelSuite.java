package dev.vireo.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the key kernel benchmarks in one go and prints one table: matvec GB/s of weight bytes per
 * type, shape and thread count, as a percentage of the memory-read bandwidth measured in the same
 * run, the Vector API speed-up over scalar, and the LoRA overhead. Used by {@code jmh/run-kernels.sh}.
 *
 * <p>Takes JMH's usual command line ({@code -wi 1 -i 3 -p type=Q4_0,Q8_0 ...}); what it does not
 * set falls back to the key subset below. Results are also written as JSON ({@code kernels.json}
 * unless {@code -rff} says otherwise).
 */
public final class KernelSuite {
    private KernelSuite() {}

    /** Llama-3.2-1B's largest layer matrix (ffn_down) and its tied output matrix. */
    static final String[] KEY_SHAPES = {"2048x8192", "128256x2048"};

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(MemoryReadBenchmark.class.getSimpleName())
                    .include(MatvecBenchmark.class.getSimpleName())
                    .include(LoraOverheadBenchmark.class.getSimpleName());
        }
        if (!cli.getParameter("shape").hasValue()) {
            options.param("shape", KEY_SHAPES);
        }
        if (!cli.getResult().hasValue()) {
            options.result("kernels.json");
        }
        if (!cli.getResultFormat().hasValue()) {
            options.resultFormat(ResultFormatType.JSON);
        }
        Options built = options.build();
        Collection<RunResult> results = new Runner(built).run();
        System.out.println();
        System.out.print(table(results));
    }

    /** The summary table of a finished run. */
    static String table(Collection<RunResult> results) {
        Map<Integer, Double> roof = new TreeMap<>();
        Map<String, Double> matvec = new TreeMap<>();
        Map<String, Double> lora = new TreeMap<>();
        List<String> rows = new ArrayList<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            double bytesPerSecond = bytesPerSecond(r);
            if (bench.contains("MemoryReadBenchmark")) {
                roof.put(r.getParams().getThreads(), bytesPerSecond);
            } else if (bench.contains("LoraOverheadBenchmark")) {
                lora.put(r.getParams().getParam("type") + " " + r.getParams().getParam("threads") + " "
                        + r.getParams().getParam("lora"), bytesPerSecond);
            } else if (bench.contains("MatvecBenchmark")) {
                String key = r.getParams().getParam("type") + " " + r.getParams().getParam("shape") + " "
                        + r.getParams().getParam("threads");
                matvec.put(key + " " + r.getParams().getParam("impl"), bytesPerSecond);
                if (!rows.contains(key)) {
                    rows.add(key);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("Memory read (Vector API sum over 1 GiB):");
        for (var e : roof.entrySet()) {
            out.append(String.format(Locale.ROOT, "  %d thread(s) %.1f GB/s", e.getKey(), e.getValue() / 1e9));
        }
        out.append(roof.isEmpty() ? "  not run, no % column" : "").append('\n');
        if (!rows.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n%-6s %-12s %3s %12s %7s %12s %7s %9s%n", "type", "shape", "thr",
                    "vector GB/s", "% read", "scalar GB/s", "% read", "speed-up"));
            for (String key : rows) {
                String[] k = key.split(" ");
                Double roofBytes = roof.get(Integer.parseInt(k[2]));
                Double vector = matvec.get(key + " vector");
                Double scalar = matvec.get(key + " scalar");
                out.append(String.format(Locale.ROOT, "%-6s %-12s %3s %12s %7s %12s %7s %9s%n", k[0], k[1], k[2],
                        gb(vector), percent(vector, roofBytes), gb(scalar), percent(scalar, roofBytes),
                        vector != null && scalar != null ? String.format(Locale.ROOT, "%.1fx", vector / scalar) : "-"));
            }
        }
        if (!lora.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nLoRA rank 16 on 2048x8192, fused (extra time vs none):%n"
                    + "%-6s %3s %10s %10s %8s %14s %8s%n", "type", "thr", "none GB/s", "F32 A/B", "extra %",
                    "F16 A/B GB/s", "extra %"));
            for (var e : lora.entrySet()) {
                if (!e.getKey().endsWith(" none")) {
                    continue;
                }
                String base = e.getKey().substring(0, e.getKey().length() - " none".length());
                String[] k = base.split(" ");
                Double f32 = lora.get(base + " r16");
                Double f16 = lora.get(base + " r16-f16");
                out.append(String.format(Locale.ROOT, "%-6s %3s %10s %10s %8s %14s %8s%n", k[0], k[1], gb(e.getValue()),
                        gb(f32), extra(e.getValue(), f32), gb(f16), extra(e.getValue(), f16)));
            }
        }
        return out.toString();
    }

    private static double bytesPerSecond(RunResult r) {
        Result<?> bytes = r.getSecondaryResults().get("bytes");
        if (bytes == null) {
            throw new IllegalStateException(r.getParams().getBenchmark() + " reported no 'bytes' counter");
        }
        return bytes.getScore();
    }

    private static String gb(Double bytesPerSecond) {
        return bytesPerSecond == null ? "-" : String.format(Locale.ROOT, "%.2f", bytesPerSecond / 1e9);
    }

    /** Extra time of the adapter run: both report base-weight bytes per call, so time ratio = inverse rate ratio. */
    private static String extra(double none, Double with) {
        return with == null ? "-" : String.format(Locale.ROOT, "%.1f", (none / with - 1) * 100);
    }

    private static String percent(Double bytesPerSecond, Double roof) {
        return bytesPerSecond == null || roof == null ? "-"
                : String.format(Locale.ROOT, "%.0f", 100 * bytesPerSecond / roof);
    }
}
