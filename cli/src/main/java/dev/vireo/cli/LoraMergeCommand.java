package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.kernels.Quantizer;
import dev.vireo.runtime.lora.AdapterUse;
import dev.vireo.runtime.lora.LoraAdapter;
import dev.vireo.runtime.lora.LoraMerge;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `vireo lora merge`: writes base + sum of scaled adapters as a new GGUF, in one step. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge LoRA adapters into a base model: W + sum(scale * alpha/r * B A) for every touched tensor,"
                + " written directly in the requested type; everything else is copied unchanged.")
final class LoraMergeCommand implements Callable<Integer> {
    /** The types the kernels' Quantizer writes (a help text must be a constant). */
    static final String TYPES = "f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k";

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "BASE", description = "The base GGUF model.")
    Path model;

    @Option(names = "--lora", required = true, paramLabel = "FILE[:SCALE]",
            description = "Adapter (GGUF or PEFT folder), optionally with a scale (default 1); repeatable.")
    List<String> lora = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The merged GGUF to write.")
    Path output;

    @Option(names = "--type", defaultValue = "same", paramLabel = "TYPE",
            description = "Type of the merged tensors: same (each base tensor's own type) or one of " + TYPES
                    + " (default: ${DEFAULT-VALUE}).")
    String type;

    private final Io io;

    LoraMergeCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        GgmlType outType = null;
        if (!type.equalsIgnoreCase("same")) {
            try {
                outType = GgmlType.fromName(type);
            } catch (IllegalArgumentException e) {
                outType = null;
            }
            if (outType == null || !Quantizer.supports(outType)) {
                throw new UsageException("--type: cannot write type '" + type + "' (same, " + TYPES + ")");
            }
        }
        List<AdapterSpec> specs = new ArrayList<>();
        for (String s : lora) {
            specs.add(AdapterSpec.parse(s, "--lora", false));
        }
        Files2.requireFile(model, "-m");
        try (GgufFile base = GgufFile.open(model)) {
            List<AdapterUse> uses = new ArrayList<>();
            List<LoraAdapter> loaded = new ArrayList<>();
            try {
                for (AdapterSpec s : specs) {
                    if (!java.nio.file.Files.exists(s.path())) {
                        throw new CliException("--lora: no such file or folder: " + s.path());
                    }
                    LoraAdapter a = LoraAdapter.load(s.path(), base);
                    loaded.add(a);
                    uses.add(new AdapterUse(a, s.scale()));
                    io.err().println("vireo: adapter " + a.describe() + " at scale " + s.scale());
                }
                ProgressBar bar = ProgressBar.items(io, "merging", base.tensors().size(), "tensors");
                LoraMerge.merge(base, uses, output, outType, (done, total, name, merged) -> bar.update(done));
                bar.done();
            } finally {
                for (LoraAdapter a : loaded) {
                    a.close();
                }
            }
        }
        io.err().println("vireo: wrote " + output);
        return 0;
    }
}
