package dev.vireo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.runtime.Model;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * vireo bench's output: the llama-bench-like table (with an adapter column when adapters are
 * benchmarked, and the ratio to the run without them under --lora-compare), or JSON rows with
 * llama-bench's field names plus ours; the --profile table or objects come from
 * {@link ProfileReport}.
 */
final class BenchReport {
    private static final int ADAPTER_WIDTH = 24;

    private final Model model;
    private final Path modelPath;
    private final int repetitions;
    private final List<BenchRow> rows;

    BenchReport(Model model, Path modelPath, int repetitions, List<BenchRow> rows) {
        this.model = model;
        this.modelPath = modelPath;
        this.repetitions = repetitions;
        this.rows = rows;
    }

    void printTable(PrintStream out, boolean withProfile) {
        boolean adapters = rows.stream().anyMatch(r -> !r.adapter().equals(BenchRow.NO_ADAPTER));
        boolean ratios = rows.stream().anyMatch(r -> r.baseline() != null);
        GgufReport report = new GgufReport(model.file());
        String modelName = report.architecture() + " " + Units.count(report.parameterCount()).replace(" ", "") + " "
                + report.mainType();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "| %-28s | %10s | %9s | %7s | %7s |", "model",
                "size", "params", "threads", "n_batch"));
        StringBuilder rule = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", "-".repeat(28),
                "-".repeat(10), "-".repeat(9), "-".repeat(7), "-".repeat(7)));
        if (adapters) {
            head.append(String.format(Locale.ROOT, " %-" + ADAPTER_WIDTH + "s |", "adapter"));
            rule.append(" ").append("-".repeat(ADAPTER_WIDTH)).append(" |");
        }
        head.append(String.format(Locale.ROOT, " %8s | %20s |", "test", "t/s"));
        rule.append(String.format(Locale.ROOT, " %s | %s |", "-".repeat(8), "-".repeat(20)));
        if (ratios) {
            head.append(String.format(Locale.ROOT, " %7s |", "vs none"));
            rule.append(" ").append("-".repeat(7)).append(" |");
        }
        out.println(head);
        out.println(rule);
        for (BenchRow r : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %-28s | %10s | %9s | %7d | %7d |",
                    truncate(modelName, 28), Units.bytes(model.file().fileSize()), Units.count(report.parameterCount()),
                    r.threads(), r.batch()));
            if (adapters) {
                line.append(String.format(Locale.ROOT, " %-" + ADAPTER_WIDTH + "s |", truncate(r.adapter(), ADAPTER_WIDTH)));
            }
            line.append(String.format(Locale.ROOT, " %8s | %20s |", r.test(),
                    String.format(Locale.ROOT, "%.2f ± %.2f", r.mean(), r.sd())));
            if (ratios) {
                line.append(String.format(Locale.ROOT, " %7s |",
                        r.baseline() == null ? "" : String.format(Locale.ROOT, "%.3f", r.ratioToBaseline())));
            }
            out.println(line);
        }
        if (withProfile) {
            ProfileReport.printTable(out, rows.stream().map(BenchReport::profileColumn).toList());
        }
    }

    void printJson(PrintStream out) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode array = mapper.createArrayNode();
        long params = parameterCount();
        for (BenchRow r : rows) {
            ObjectNode o = array.addObject();
            o.put("model_file", modelPath.toString());
            o.put("model_type", model.describe());
            o.put("model_size", model.file().fileSize());
            o.put("model_n_params", params);
            o.put("kernels", r.kernels());
            o.put("n_threads", r.threads());
            o.put("n_batch", r.batch());
            o.put("adapter", r.adapter());
            o.put("n_prompt", r.test().startsWith("pp") ? r.tokens() : 0);
            o.put("n_gen", r.test().startsWith("tg") ? r.tokens() : 0);
            o.put("repetitions", repetitions);
            o.put("avg_ts", r.mean());
            o.put("stddev_ts", r.sd());
            ArrayNode samples = o.putArray("samples_ts");
            for (double v : r.tokensPerSecond()) {
                samples.add(v);
            }
            if (r.baseline() != null) {
                o.put("ratio_to_no_adapter", r.ratioToBaseline());
            }
            if (r.profile() != null) {
                ProfileReport.putJson(o.putObject("profile"), profileColumn(r));
            }
        }
        out.println(mapper.writeValueAsString(array));
    }

    private static ProfileReport.Column profileColumn(BenchRow r) {
        return new ProfileReport.Column(r.title(), r.profile(), r.phase());
    }

    private long parameterCount() {
        long n = 0;
        for (var t : model.file().tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
