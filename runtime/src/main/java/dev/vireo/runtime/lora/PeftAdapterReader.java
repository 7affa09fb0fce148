package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.SafetensorsFile;
import dev.vireo.gguf.SafetensorsTensor;
import dev.vireo.kernels.WeightMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face PEFT LoRA folder ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}) against a GGUF base, doing at load time what llama.cpp's
 * {@code convert_lora_to_gguf.py} does offline: HF module names become GGUF tensor names, and on
 * llama-architecture bases the rows of q_proj / k_proj lora_B are put in the GGUF Q/K order.
 *
 * <p>lora_A and the other lora_B stay views of the safetensors mapping; the reordered lora_B are
 * copied into an arena the adapter owns.
 */
final class PeftAdapterReader {
    private PeftAdapterReader() {}

    static final String CONFIG = "adapter_config.json";
    static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final String SUFFIX_A = ".lora_A.weight";
    private static final String SUFFIX_B = ".lora_B.weight";

    /** One tensor of the safetensors file: PyTorch shape (outermost first) and bytes in place. */
    record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        String shapeString() {
            return Arrays.toString(shape);
        }
    }

    static LoraAdapter read(Path dir, GgufFile base) {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(dir + ": not a PEFT adapter folder (" + CONFIG + " is missing)");
        }
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(dir + ": " + WEIGHTS + " is missing"
                    + (Files.exists(dir.resolve("adapter_model.bin"))
                            ? " (pickled adapter_model.bin is not supported: save the adapter with safe_serialization=True)" : ""));
        }
        PeftConfig cfg = PeftConfig.read(config);
        QkLayout layout = QkLayout.of(dir, base);
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(weights);
        } catch (IOException e) {
            throw new UncheckedIOException(weights + ": cannot read PEFT adapter weights: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        try {
            Map<String, LoraWeights> targets = build(weights, tensors(weights, file), cfg, layout, base, arena);
            String name = dir.toAbsolutePath().normalize().getFileName().toString();
            return new LoraAdapter(name, dir, cfg.alpha(), cfg.rsLora(), "PEFT", targets, () -> {
                try {
                    file.close();
                } finally {
                    arena.close();
                }
            });
        } catch (RuntimeException e) {
            try {
                file.close();
            } finally {
                arena.close();
            }
            throw e;
        }
    }

    /** The file's tensors with their ggml element type; only float types are LoRA matrices. */
    private static List<Tensor> tensors(Path path, SafetensorsFile file) {
        List<Tensor> out = new ArrayList<>();
        for (SafetensorsTensor t : file.tensors()) {
            if (!t.dtype().isFloatReadable()) {
                throw new IllegalArgumentException(path + ": tensor '" + t.name() + "' has dtype " + t.dtype()
                        + " (LoRA matrices must be F32, F16 or BF16)");
            }
            out.add(new Tensor(t.name(), t.dtype().ggmlType(), t.shape().clone(), t.data()));
        }
        return out;
    }

    private static Map<String, LoraWeights> build(Path file, List<Tensor> tensors, PeftConfig cfg, QkLayout layout,
            GgufFile base, Arena arena) {
        Map<String, Tensor[]> modules = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            String n = t.name();
            int slot = n.endsWith(SUFFIX_A) ? 0 : n.endsWith(SUFFIX_B) ? 1 : -1;
            if (slot < 0 || !n.startsWith(PREFIX)) {
                throw new IllegalArgumentException(file + ": " + unexpected(n));
            }
            String module = n.substring(PREFIX.length(), n.length() - SUFFIX_A.length());
            modules.computeIfAbsent(module, k -> new Tensor[2])[slot] = t;
        }
        Map<String, LoraWeights> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor[]> e : modules.entrySet()) {
            String module = e.getKey();
            if (!cfg.targets(module, !module.endsWith("lm_head"))) {
                continue; // PEFT would not have created this LoRA layer, so it never loads these weights
            }
            HfModules.Target target;
            try {
                target = HfModules.target(module);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
            }
            Tensor a = e.getValue()[0];
            Tensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw new IllegalArgumentException(file + ": '" + PREFIX + module + (a == null ? SUFFIX_A : SUFFIX_B)
                        + "' is missing (the other half of the pair is present)");
            }
            GgufTensor w = base.tensorOrNull(target.ggufName());
            if (w == null) {
                throw new IllegalArgumentException(file + ": module '" + module + "' maps to '" + target.ggufName()
                        + "', which does not exist in the base model " + base.path().getFileName() + " (adapter made for another model?)");
            }
            int rank = checkShapes(file, a, b, w);
            int configured = cfg.rankOf(module);
            if (rank != configured) {
                throw new IllegalArgumentException(file + ": '" + a.name() + "' has rank " + rank + " but " + CONFIG + " gives '"
                        + module + "' r = " + configured);
            }
            long in = w.shape()[0];
            long outRows = w.shape()[1];
            WeightMatrix ma = new WeightMatrix(a.type(), rank, Math.toIntExact(in), a.data());
            MemorySegment bData = b.data();
            int heads = layout.headsFor(target);
            if (heads > 0) {
                bData = arena.allocate(b.data().byteSize(), 16);
                long rowBytes = b.type().bytesFor(rank);
                QkRowPermutation.permuteRows(b.data(), bData, Math.toIntExact(outRows), rowBytes, heads, file + ": '" + b.name() + "'");
            }
            WeightMatrix mb = new WeightMatrix(b.type(), Math.toIntExact(outRows), rank, bData);
            out.put(target.ggufName(), new LoraWeights(ma, mb, peftFactor(cfg.alphaOf(module), rank, cfg.rsLora())));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no LoRA weights for the modules " + CONFIG + " targets");
        }
        return out;
    }

    /** PEFT's scaling: alpha / r, or alpha / sqrt(r) with use_rslora (alpha 0 really means 0 here). */
    static float peftFactor(float alpha, int rank, boolean rsLora) {
        return rsLora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
    }

    /** A [r, in] and B [out, r] (PyTorch order) against W with GGUF ne [in, out]; returns r. */
    private static int checkShapes(Path file, Tensor a, Tensor b, GgufTensor w) {
        if (w.shape().length != 2) {
            throw new IllegalArgumentException(file + ": base tensor '" + w.name() + "' has shape " + w.shapeString()
                    + ", only 2-D weights are supported");
        }
        long in = w.shape()[0];
        long out = w.shape()[1];
        if (a.shape().length != 2 || a.shape()[1] != in) {
            throw mismatch(file, a, w, "[r, " + in + "]");
        }
        if (b.shape().length != 2 || b.shape()[0] != out) {
            throw mismatch(file, b, w, "[" + out + ", r]");
        }
        if (a.shape()[0] != b.shape()[1]) {
            throw new IllegalArgumentException(file + ": '" + a.name() + "' " + a.shapeString() + " and '" + b.name() + "' "
                    + b.shapeString() + " disagree on the rank (lora_A must be [r, in], lora_B [out, r])");
        }
        return Math.toIntExact(a.shape()[0]);
    }

    private static IllegalArgumentException mismatch(Path file, Tensor t, GgufTensor w, String expected) {
        return new IllegalArgumentException(file + ": '" + t.name() + "' has shape " + t.shapeString() + " but base tensor '"
                + w.name() + "' has GGUF shape " + w.shapeString() + " (expected " + expected
                + " in PyTorch order; adapter made for another model?)");
    }

    private static String unexpected(String name) {
        if (name.contains("lora_magnitude_vector")) {
            return "'" + name + "' is a DoRA magnitude vector: DoRA adapters are not supported";
        }
        if (name.contains("lora_embedding_")) {
            return "'" + name + "': LoRA on the token embeddings is not supported";
        }
        if (name.endsWith(".bias")) {
            return "'" + name + "' is a trained bias, which is not supported";
        }
        return "unexpected tensor '" + name + "' (PEFT LoRA tensors are " + PREFIX + "<module>" + SUFFIX_A + " / " + SUFFIX_B + ")";
    }

    /**
     * Whether, and with how many heads, the base stores Q/K rows in llama.cpp's permuted order.
     *
     * @param qHeads attention heads (rows of Q split into this many heads), 0 when no permutation
     * @param kHeads key/value heads
     */
    record QkLayout(int qHeads, int kHeads) {
        static QkLayout of(Path dir, GgufFile base) {
            GgufMetadata m = base.metadata();
            String arch = m.findString("general.architecture").orElse("?");
            return switch (arch) {
                case "llama" -> {
                    int heads = m.getInt(arch + ".attention.head_count");
                    yield new QkLayout(heads, m.getInt(arch + ".attention.head_count_kv", heads));
                }
                case "qwen2", "qwen3" -> new QkLayout(0, 0); // converted without the permutation
                default -> throw new IllegalArgumentException(dir + ": PEFT adapters for architecture '" + arch
                        + "' are not supported (supported: llama, qwen2, qwen3)");
            };
        }

        /** Heads to permute lora_B rows over for this target, or 0 to leave it as is. */
        int headsFor(HfModules.Target t) {
            return t.isQuery() ? qHeads : t.isKey() ? kHeads : 0;
        }
    }
}
