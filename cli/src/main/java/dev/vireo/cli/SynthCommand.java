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
            description = "Weight type of every matrix, the token embedding included (llama.cpp's \"pure\" quantization):"
                    + " f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = {"-s", "--seed"}, defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Threads that quantize; 0 = all processors (default: ${DEFAULT-VALUE}). The file does not depend on it.")
    int threads;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path output;

    private final Io io;

    SynthCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        ModelShape s = ModelShape.byId(shape);
        if (threads < 0) {
            throw new UsageException("-t: threads must be 1 or more (0 = all processors), not " + threads);
        }
        int nThreads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
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
        model.write(output, nThreads, bar::update);
        bar.done();
        return 0;
    }
}
