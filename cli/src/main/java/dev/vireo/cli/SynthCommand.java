package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `vireo synth`: a GGUF with a real model's shapes, random weights and a working tokenizer. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a GGUF model with the shapes of a known model, random weights (deterministic per seed)"
                + " and a usable SentencePiece vocabulary, so that bench, run and chat can run on it.",
            "Shapes: llama-3.2-1b, smollm2-135m, qwen2.5-0.5b, tiny."})
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, paramLabel = "SHAPE",
            description = "llama-3.2-1b, smollm2-135m, qwen2.5-0.5b or tiny.")
    String shape;

    @Option(names = "--type", defaultValue = "q4_0", paramLabel = "TYPE",
            description = "Weight type of the matrices: q4_0, q8_0, q4_k, f16, f32 ... (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = {"-s", "--seed"}, defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path output;

    private final Io io;

    SynthCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        ModelShape s = ModelShape.byId(shape);
        GgmlType t;
        try {
            t = GgmlType.fromName(type);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--type: unknown type '" + type + "'");
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new CliException("-o: folder " + dir + " does not exist");
        }
        SyntheticModel model = new SyntheticModel(s, t, seed);
        if (!model.fallbacks().isEmpty()) {
            io.err().println("vireo: " + model.fallbacks().size() + " tensors have rows that are not whole " + t
                    + " blocks and are written in a finer type (e.g. " + model.fallbacks().iterator().next() + ")");
        }
        io.err().printf("vireo: synth %s %s seed %d: %s parameters, %s of tensors -> %s%n", s.id, t, seed,
                Units.count(model.parameterCount()), Units.bytes(model.tensorBytes()), output);
        ProgressBar bar = ProgressBar.bytes(io, "writing", model.tensorBytes());
        model.write(output, bar::update);
        bar.done();
        return 0;
    }
}
