package dev.vireo.cli;

import dev.vireo.runtime.Model;
import dev.vireo.runtime.lora.AdapterUse;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The adapter flags of run and chat, spelled as llama.cpp spells them. */
final class LoraOptions {
    @Option(names = "--lora", paramLabel = "FILE",
            description = "LoRA adapter (llama.cpp GGUF adapter or PEFT folder) at scale 1; repeatable.")
    List<String> lora = new ArrayList<>();

    @Option(names = "--lora-scaled", paramLabel = "FILE:SCALE",
            description = "LoRA adapter with a user scale, e.g. a.gguf:0.5; repeatable.")
    List<String> loraScaled = new ArrayList<>();

    List<AdapterSpec> specs() {
        List<AdapterSpec> out = new ArrayList<>();
        for (String s : lora) {
            out.add(AdapterSpec.parse(s, "--lora", false));
        }
        for (String s : loraScaled) {
            out.add(AdapterSpec.parse(s, "--lora-scaled", true));
        }
        return out;
    }

    /** Loads every adapter against the model (once each); a misfit is a one-line error naming the file. */
    List<AdapterUse> load(Model model) {
        List<AdapterUse> uses = new ArrayList<>();
        for (AdapterSpec s : specs()) {
            if (!java.nio.file.Files.exists(s.path())) {
                throw new CliException("--lora: no such file or folder: " + s.path());
            }
            uses.add(new AdapterUse(model.loadAdapter(s.path()), s.scale()));
        }
        return uses;
    }
}
