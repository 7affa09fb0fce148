package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgufFile;
import java.nio.file.Path;

/** Reads a Hugging Face PEFT LoRA folder. */
final class PeftAdapterReader {
    private PeftAdapterReader() {}

    static final String CONFIG = "adapter_config.json";
    static final String WEIGHTS = "adapter_model.safetensors";

    static LoraAdapter read(Path dir, GgufFile base) {
        throw new IllegalArgumentException(dir + ": PEFT adapters are not supported yet");
    }
}
