package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `vireo lora synth`: a random LoRA adapter that fits a base model, for benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a llama.cpp GGUF LoRA adapter for a base model with random Gaussian A and B on the chosen"
                + " projections of every layer (deterministic per seed): to measure what adapters cost, not to read.")
final class LoraSynthCommand implements Callable<Integer> {
    static final String ALL_PROJECTIONS = "attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down";

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE", description = "The base GGUF model.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "ADAPTER", description = "The adapter GGUF to write.")
    Path output;

    @Option(names = "--rank", defaultValue = "16", paramLabel = "R", description = "LoRA rank r (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", defaultValue = "16", paramLabel = "ALPHA",
            description = "lora_alpha; the term is scaled by alpha / r (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--targets", defaultValue = ALL_PROJECTIONS, split = ",", paramLabel = "NAME",
            description = "Projections to adapt in every layer, comma-separated: attn_q, attn_k, attn_v, attn_output,"
                    + " ffn_gate, ffn_up, ffn_down, and output for the output matrix (default: all seven projections).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--type", defaultValue = "f32", paramLabel = "TYPE",
            description = "Type of A and B: f32 or f16 (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = {"-s", "--seed"}, defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scale-init", defaultValue = "0.01", paramLabel = "SIGMA",
            description = "Standard deviation of the Gaussian values of A and B; small, so outputs stay finite"
                    + " (default: ${DEFAULT-VALUE}).")
    float scaleInit;

    private final Io io;

    LoraSynthCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        if (rank <= 0) {
            throw new UsageException("--rank: must be 1 or more, not " + rank);
        }
        if (!Float.isFinite(alpha)) {
            throw new UsageException("--alpha: must be a finite number, not " + alpha);
        }
        if (!Float.isFinite(scaleInit) || scaleInit < 0) {
            throw new UsageException("--scale-init: must be a finite number >= 0, not " + scaleInit);
        }
        GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            default -> throw new UsageException("--type: must be f32 or f16, not '" + type + "'");
        };
        Set<String> chosen = new LinkedHashSet<>();
        for (String target : targets) {
            String name = target.strip();
            if (!SyntheticAdapter.TARGETS.contains(name)) {
                throw new UsageException("--targets: unknown target '" + name + "' (known: "
                        + String.join(", ", SyntheticAdapter.TARGETS) + ")");
            }
            chosen.add(name);
        }
        Files2.requireFile(model, "-m");
        Path dir = output.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new CliException("-o: folder " + dir + " does not exist");
        }
        if (Files.exists(output) && Files.isSameFile(output, model)) {
            throw new CliException("-o: " + output + " is the base model itself");
        }
        try (GgufFile base = GgufFile.open(model)) {
            SyntheticAdapter adapter = new SyntheticAdapter(base, List.copyOf(chosen), rank, alpha, t, seed, scaleInit);
            io.err().printf(Locale.ROOT, "vireo: lora synth rank %d alpha %s %s seed %d: %d tensor pairs, %s -> %s%n",
                    rank, Float.toString(alpha), t, seed, adapter.pairs().size(), Units.bytes(adapter.tensorBytes()),
                    output);
            adapter.write(output);
        }
        return 0;
    }
}
