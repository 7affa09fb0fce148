package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgufFile;
import dev.vireo.kernels.LowRank;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A LoRA adapter loaded against one base model: for each base weight W it touches, the matrices
 * A ({@code r x in}) and B ({@code out x r}) such that the adapted layer computes
 * {@code y = W x + userScale * alpha / r * B (A x)}.
 *
 * <p>Two sources: a llama.cpp GGUF adapter file ({@code general.type = adapter}) and a Hugging
 * Face PEFT folder ({@code adapter_config.json} + {@code adapter_model.safetensors}). Both are
 * validated completely at load time against the base model (architecture, every tensor name,
 * every shape); a problem is a one-line {@link IllegalArgumentException} naming the file, the
 * tensor and both shapes.
 *
 * <p>A and B are read in place from the adapter's file mapping (only the Q/K {@code lora_B} of a
 * PEFT adapter on a llama model is copied, because its rows must be reordered), so an adapter is
 * cheap to keep loaded. It is immutable and may be shared by any number of sessions at once; the
 * base weights are never modified. {@link #close()} releases the mapping: call it only when no
 * session uses the adapter any more (the owning {@code Model} does this when it closes).
 */
public final class LoraAdapter implements AutoCloseable {
    private final String name;
    private final Path source;
    private final float alpha;
    private final boolean rsLora;
    private final String format;
    private final Map<String, LoraWeights> weights;
    private final int rank;
    private final AutoCloseable resources;

    LoraAdapter(String name, Path source, float alpha, boolean rsLora, String format, Map<String, LoraWeights> weights,
            AutoCloseable resources) {
        this.name = name;
        this.source = source;
        this.alpha = alpha;
        this.rsLora = rsLora;
        this.format = format;
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        int r = 0;
        for (LoraWeights w : weights.values()) {
            r = Math.max(r, w.rank());
        }
        this.rank = r;
        this.resources = resources;
    }

    /**
     * Loads an adapter for the model in {@code base}.
     *
     * @param fileOrPeftDir a llama.cpp GGUF adapter file, or a PEFT folder (or its
     *     {@code adapter_config.json} / {@code adapter_model.safetensors})
     * @param base the base model the adapter will be applied to; stays owned by the caller
     * @throws IllegalArgumentException if the adapter does not fit the base model or uses something
     *     not supported (one line naming the problem and the file)
     * @throws java.io.UncheckedIOException if a file cannot be read
     */
    public static LoraAdapter load(Path fileOrPeftDir, GgufFile base) {
        if (Files.isDirectory(fileOrPeftDir)) {
            return PeftAdapterReader.read(fileOrPeftDir, base);
        }
        if (!Files.exists(fileOrPeftDir)) {
            throw new IllegalArgumentException(fileOrPeftDir + ": LoRA adapter not found (expected a GGUF adapter file or a PEFT folder)");
        }
        Path fileName = fileOrPeftDir.getFileName();
        String n = fileName == null ? "" : fileName.toString();
        if (n.equals(PeftAdapterReader.CONFIG) || n.endsWith(".safetensors")) {
            Path dir = fileOrPeftDir.toAbsolutePath().getParent();
            return PeftAdapterReader.read(dir, base);
        }
        return GgufAdapterReader.read(fileOrPeftDir, base);
    }

    /** The file name without {@code .gguf}, or the PEFT folder's name. */
    public String name() {
        return name;
    }

    /** The file or folder this adapter was read from. */
    public Path source() {
        return source;
    }

    /** lora_alpha (0 when a GGUF adapter does not store it: then the factor is 1, as in llama.cpp). */
    public float alpha() {
        return alpha;
    }

    /** The rank r of its matrices (the largest one when a PEFT rank_pattern gives modules different ranks). */
    public int rank() {
        return rank;
    }

    /** Whether the factor is alpha / sqrt(r) (PEFT {@code use_rslora}) rather than alpha / r. */
    public boolean rsLora() {
        return rsLora;
    }

    /** The base tensor names it touches, e.g. {@code blk.0.attn_q.weight}, in file order. */
    public Set<String> targets() {
        return weights.keySet();
    }

    /**
     * The low-rank term for one base weight, with the effective scale
     * {@code userScale * alpha / r} (rsLoRA: {@code alpha / sqrt(r)}).
     *
     * @return the term, or null if this adapter does not touch {@code baseTensorName}
     */
    public LowRank term(String baseTensorName, float userScale) {
        LoraWeights w = weights.get(baseTensorName);
        return w == null ? null : new LowRank(w.factors(), userScale * w.factor());
    }

    /** The matrices for one target, or null. */
    LoraWeights weights(String baseTensorName) {
        return weights.get(baseTensorName);
    }

    /** One line for logs and the CLI, e.g. {@code my-lora (GGUF): rank 8, alpha 16, 14 tensors}. */
    public String describe() {
        return name + " (" + format + "): rank " + rank + ", alpha " + formatFloat(alpha) + (rsLora ? " (rsLoRA)" : "")
                + ", " + weights.size() + " tensors";
    }

    private static String formatFloat(float f) {
        return f == Math.rint(f) && Math.abs(f) < 1e9 ? Long.toString((long) f) : Float.toString(f);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Releases the adapter's file mapping and buffers; no session may use it afterwards. */
    @Override
    public void close() {
        try {
            resources.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing LoRA adapter " + name + ": " + e.getMessage(), e);
        }
    }
}
