package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A llama.cpp GGUF LoRA adapter with random Gaussian A and B for chosen projections of every
 * layer of a base model, for benchmarks: the file has exactly the names, shapes and metadata a
 * converted PEFT adapter has ({@code <base>.lora_a} ne {@code [n_in, r]}, {@code <base>.lora_b}
 * ne {@code [r, n_out]}), only the values are noise.
 *
 * <p>B is drawn like A, not zero as PEFT initialises it, so the adapter really changes the
 * outputs (an all-zero B could be skipped by a clever runtime and would measure nothing). Each
 * tensor's values come from its own generator seeded by (seed, tensor name): a seed gives the
 * same matrices whatever the other targets are.
 */
final class SyntheticAdapter {
    /** The projection names an adapter may target, as they appear in {@code blk.N.<name>.weight}; plus {@code output}. */
    static final List<String> TARGETS =
            List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "output");

    private static final Pattern LAYER_WEIGHT = Pattern.compile("blk\\.\\d+\\.([a-z_]+)\\.weight");

    /** One LoRA pair to write: the base weight's name and its GGUF dims. */
    record Pair(String base, long nIn, long nOut) {}

    private final String architecture;
    private final List<Pair> pairs;
    private final int rank;
    private final float alpha;
    private final GgmlType type;
    private final long seed;
    private final float sigma;

    /**
     * Plans the adapter: one pair for every base tensor that is one of {@code targets}, in the
     * base file's order.
     *
     * @throws CliException if the base lacks a target, or a target is smaller than the rank
     */
    SyntheticAdapter(GgufFile base, List<String> targets, int rank, float alpha, GgmlType type, long seed, float sigma) {
        this.architecture = base.metadata().findString("general.architecture").orElseThrow(() -> new CliException(
                "-m: " + base.path() + " has no general.architecture, so an adapter for it cannot be named"));
        this.rank = rank;
        this.alpha = alpha;
        this.type = type;
        this.seed = seed;
        this.sigma = sigma;
        // in the base file's order (layer by layer), as llama.cpp's converter writes adapters
        List<Pair> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GgufTensor t : base.tensors()) {
            String target = targetOf(t.name());
            if (targets.contains(target)) {
                found.add(pairFor(base, t));
                seen.add(target);
            }
        }
        for (String target : targets) {
            if (!seen.contains(target)) {
                throw new CliException("-m: " + base.path().getFileName() + " has no " + (target.equals("output")
                        ? "output.weight (tied to the token embedding?)" : "blk.N." + target + ".weight") + " to adapt");
            }
        }
        this.pairs = List.copyOf(found);
    }

    /** "attn_q" for {@code blk.3.attn_q.weight}, "output" for {@code output.weight}, else "". */
    private static String targetOf(String tensorName) {
        if (tensorName.equals("output.weight")) {
            return "output";
        }
        Matcher m = LAYER_WEIGHT.matcher(tensorName);
        return m.matches() ? m.group(1) : "";
    }

    private Pair pairFor(GgufFile base, GgufTensor t) {
        long[] s = t.shape();
        if (s.length != 2) {
            throw new CliException("-m: " + t.name() + " has shape " + t.shapeString() + ", not a 2-D weight");
        }
        if (rank > Math.min(s[0], s[1])) {
            throw new UsageException("--rank: " + rank + " is more than the smaller side of " + t.name() + " "
                    + t.shapeString() + " in " + base.path().getFileName() + " (a LoRA rank is at most min(n_in, n_out))");
        }
        return new Pair(t.name(), s[0], s[1]);
    }

    List<Pair> pairs() {
        return pairs;
    }

    /** Bytes of all A and B tensors. */
    long tensorBytes() {
        long n = 0;
        for (Pair p : pairs) {
            n += type.bytesFor((p.nIn + p.nOut) * rank);
        }
        return n;
    }

    void write(Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        w.addMetadata("general.architecture", GgufValue.ofString(architecture));
        w.addMetadata("general.type", GgufValue.ofString("adapter"));
        w.addMetadata("general.name", GgufValue.ofString("synthetic LoRA r" + rank + " seed " + seed));
        w.addMetadata("adapter.type", GgufValue.ofString("lora"));
        w.addMetadata("adapter.lora.alpha", GgufValue.ofFloat32(alpha));
        for (Pair p : pairs) {
            String a = p.base + ".lora_a";
            String b = p.base + ".lora_b";
            w.addTensor(a, type, new long[] {p.nIn, rank}, o -> writeGaussian(a, p.nIn, rank, o));
            w.addTensor(b, type, new long[] {rank, p.nOut}, o -> writeGaussian(b, rank, p.nOut, o));
        }
        w.write(out);
    }

    /** {@code rows} rows of {@code cols} values ~ N(0, sigma), in the adapter's type. */
    private void writeGaussian(String name, long cols, long rows, OutputStream out) throws IOException {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        RandomRowsWriter.write(type, (int) cols, rows, (values, count) -> {
            for (int i = 0; i < count; i++) {
                values[i] = (float) (sigma * random.nextGaussian());
            }
        }, null, out, bytes -> {});
    }
}
