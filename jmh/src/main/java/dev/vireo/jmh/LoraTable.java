package dev.vireo.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end LoRA table: per thread count and phase, tokens/s without and with the adapter,
 * their ratio (the share of the adapter-free speed kept, as llama.cpp's figures are quoted) and
 * the overhead (extra time per token, what the targets bound, as a share and in
 * milliseconds: the adapter's cost in time does not move with the base's speed, its share
 * does, so the two read together say whether the adapter or the base changed). With several rounds the
 * speeds are means and the ratio is the mean of each round's ratio, with its range: the two arms
 * of a round ran back to back, so their ratio is steadier than either speed on a shared machine.
 */
final class LoraTable {
    /** Extra time per token the issue allows: decode 3 %, prefill 5 %. */
    static double targetPercent(String phase) {
        return phase.equals("decode") ? 3 : 5;
    }

    private record Key(int threads, String phase) {}

    private static final class Cell {
        final List<Double> none = new ArrayList<>();
        final List<Double> with = new ArrayList<>();
    }

    private final String adapterLabel;
    private final Map<Key, Cell> cells = new LinkedHashMap<>();

    /** @param adapterLabel the adapter column's name, e.g. {@code r16} */
    LoraTable(String adapterLabel) {
        this.adapterLabel = adapterLabel;
    }

    /** Adds one measured score (tokens/s); rounds are matched by the order of the calls. */
    void add(int threads, String phase, boolean withAdapter, double tokensPerSecond) {
        Cell c = cells.computeIfAbsent(new Key(threads, phase), k -> new Cell());
        (withAdapter ? c.with : c.none).add(tokensPerSecond);
    }

    /** Mean over rounds of with / none for one row; NaN when an arm is missing. */
    double ratio(int threads, String phase) {
        Cell c = cells.get(new Key(threads, phase));
        if (c == null) {
            return Double.NaN;
        }
        int n = Math.min(c.none.size(), c.with.size());
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += c.with.get(i) / c.none.get(i);
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    String format() {
        StringBuilder out = new StringBuilder();
        String header = String.format(Locale.ROOT, "%-7s | %-7s | %12s | %12s | %-19s | %-10s | %-8s | %s%n", "threads",
                "phase", "tok/s none", "tok/s " + adapterLabel, "ratio", "overhead %", "ms/token", "target");
        out.append(header);
        out.append("-".repeat(header.length() - 1)).append('\n');
        cells.entrySet().stream()
                .sorted((a, b) -> a.getKey().threads != b.getKey().threads
                        ? Integer.compare(a.getKey().threads, b.getKey().threads)
                        : a.getKey().phase.compareTo(b.getKey().phase))
                .forEach(e -> out.append(row(e.getKey(), e.getValue())));
        return out.toString();
    }

    private String row(Key k, Cell c) {
        double ratio = ratio(k.threads, k.phase);
        String range = "";
        int n = Math.min(c.none.size(), c.with.size());
        if (n > 1) {
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                double r = c.with.get(i) / c.none.get(i);
                lo = Math.min(lo, r);
                hi = Math.max(hi, r);
            }
            range = String.format(Locale.ROOT, " (%.3f-%.3f)", lo, hi);
        }
        double overhead = (1 / ratio - 1) * 100;
        double target = targetPercent(k.phase);
        return String.format(Locale.ROOT, "%-7d | %-7s | %12s | %12s | %-19s | %-10s | %-8s | %s%n", k.threads, k.phase,
                speed(c.none), speed(c.with), Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio) + range,
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%+.1f", overhead),
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%+.2f", extraMillis(c, n)),
                Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "<= %.0f %% %s", target, overhead <= target ? "met" : "NOT met"));
    }

    /** Mean over rounds of the extra time per token, 1000 / with - 1000 / none. */
    private static double extraMillis(Cell c, int rounds) {
        double sum = 0;
        for (int i = 0; i < rounds; i++) {
            sum += 1000 / c.with.get(i) - 1000 / c.none.get(i);
        }
        return sum / rounds;
    }

    private static String speed(List<Double> values) {
        if (values.isEmpty()) {
            return "-";
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return String.format(Locale.ROOT, "%.2f", sum / values.size());
    }
}
