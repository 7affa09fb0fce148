package dev.vireo.cli;

import dev.vireo.runtime.GenerationParams;
import dev.vireo.runtime.GenerationResult;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `vireo run`: one completion; only the generated text goes to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Complete one prompt. The completion (not the prompt) goes to stdout; the load line and"
                + " the speed go to stderr.", "The prompt comes from -p, -f, or else standard input."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ModelOptionsMixin model;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    LoraOptions lora;

    static final class PromptSource {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt.")
        String text;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from a file (UTF-8).")
        Path file;
    }

    @ArgGroup(exclusive = true)
    PromptSource prompt;

    @Option(names = "--no-speed", description = "Do not print the speed line on stderr.")
    boolean noSpeed;

    private final Io io;

    RunCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        GenerationParams params = sampling.params();
        lora.specs(); // flag syntax is checked before the model loads
        model.validate();
        String text = promptText();
        long t0 = System.nanoTime();
        try (Model m = model.load(); Session s = model.open(m, io, System.nanoTime() - t0)) {
            s.setAdapters(lora.load(m));
            PrintingListener out = new PrintingListener(io.out());
            GenerationResult r = s.generate(text, params, out);
            out.finish(io.interactive());
            if (!noSpeed) {
                io.err().println("vireo: " + Prompts.speed(r) + " | total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        }
        return 0;
    }

    private String promptText() throws IOException {
        if (prompt != null && prompt.text != null) {
            return prompt.text;
        }
        if (prompt != null && prompt.file != null) {
            Files2.requireFile(prompt.file, "-f");
            return Files.readString(prompt.file, StandardCharsets.UTF_8);
        }
        if (io.interactive()) {
            throw new UsageException("no prompt: give -p TEXT, -f FILE, or pipe it on standard input");
        }
        return new String(io.in().readAllBytes(), StandardCharsets.UTF_8);
    }
}
