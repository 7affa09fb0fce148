package dev.vireo.cli;

import picocli.CommandLine.Command;

/** `vireo lora ...`: adapter tools. */
@Command(name = "lora", mixinStandardHelpOptions = true, description = "LoRA adapter tools.",
        subcommands = {LoraMergeCommand.class, LoraSynthCommand.class})
final class LoraCommand implements Runnable {
    @Override
    public void run() {
        throw new UsageException("lora: a subcommand is required (merge, synth)");
    }
}
