package dev.vireo.runtime;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The model families Vireo runs, as data: each is the same pre-norm decoder with a few switches.
 * Optional tensors (q/k/v/o biases, per-head q/k norms, a separate output matrix, rope_freqs) are
 * used when the file has them, whatever the family, so the only real switch left is the RoPE
 * style, which the file cannot tell (GGUF.md section 7).
 */
public enum Architecture {
    /** Llama 1/2/3.x, Mistral, TinyStories: Q/K rows in Meta order, adjacent-pair ("normal") RoPE. */
    LLAMA("llama", false),
    /** Qwen2 / Qwen2.5: q/k/v biases, half-split ("neox") RoPE. */
    QWEN2("qwen2", true),
    /** Qwen3: per-head RMSNorm of q and k before RoPE, explicit head size, neox RoPE. */
    QWEN3("qwen3", true);

    private final String ggufName;
    private final boolean ropeNeox;

    Architecture(String ggufName, boolean ropeNeox) {
        this.ggufName = ggufName;
        this.ropeNeox = ropeNeox;
    }

    /** The {@code general.architecture} string, also the prefix of the hyperparameter keys. */
    public String ggufName() {
        return ggufName;
    }

    /** True for half-split rotation (x[i], x[i + n/2]); false for adjacent pairs (x[2i], x[2i+1]). */
    public boolean ropeNeox() {
        return ropeNeox;
    }

    /**
     * The architecture named by {@code general.architecture}.
     *
     * @throws IllegalArgumentException naming the value and the supported ones
     */
    public static Architecture fromGgufName(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported architecture '" + name + "' (supported: " + supportedNames() + ")");
    }

    /** "llama, qwen2, qwen3". */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }
}
