package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.WeightMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a llama.cpp LoRA adapter ({@code general.type = adapter}, {@code adapter.type = lora}):
 * tensor pairs {@code <base>.lora_a} (ne {@code [n_in, r]}) and {@code <base>.lora_b} (ne
 * {@code [r, n_out]}), checked against the base model the way {@code llama_adapter_lora_init}
 * checks them. The matrices stay views of the adapter's mapping, which the adapter keeps open.
 */
final class GgufAdapterReader {
    private GgufAdapterReader() {}

    private static final String SUFFIX_A = ".lora_a";
    private static final String SUFFIX_B = ".lora_b";
    /** Types the fused kernels accept for A and B. */
    static final Set<GgmlType> TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0);

    static LoraAdapter read(Path file, GgufFile base) {
        GgufFile gguf;
        try {
            gguf = GgufFile.open(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read LoRA adapter: " + e.getMessage(), e);
        }
        try {
            return read(file, gguf, base);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    private static LoraAdapter read(Path file, GgufFile gguf, GgufFile base) {
        GgufMetadata m = gguf.metadata();
        String type = m.findString("general.type").orElse(null);
        if (!"adapter".equals(type)) {
            throw new IllegalArgumentException(file + ": not a LoRA adapter (general.type is "
                    + (type == null ? "missing" : "'" + type + "'") + ", expected 'adapter')");
        }
        String adapterType = m.findString("adapter.type").orElse(null);
        if (!"lora".equals(adapterType)) {
            throw new IllegalArgumentException(file + ": adapter.type is " + (adapterType == null ? "missing" : "'" + adapterType + "'")
                    + ", only 'lora' is supported");
        }
        if (m.has("adapter.alora.invocation_tokens")) {
            throw new IllegalArgumentException(file + ": activated LoRA (adapter.alora.invocation_tokens) is not supported;"
                    + " applying it to every token would be wrong");
        }
        String arch = m.findString("general.architecture").orElse(null);
        String baseArch = base.metadata().findString("general.architecture").orElse(null);
        if (arch == null) {
            throw new IllegalArgumentException(file + ": general.architecture is missing, so the adapter cannot be checked"
                    + " against the base model");
        }
        if (!arch.equals(baseArch)) {
            throw new IllegalArgumentException(file + ": adapter architecture '" + arch + "' does not match the base model's '"
                    + baseArch + "' (" + base.path().getFileName() + ")");
        }
        float alpha = m.getFloat("adapter.lora.alpha", 0f);

        Map<String, GgufTensor[]> pairs = new LinkedHashMap<>();
        for (GgufTensor t : gguf.tensors()) {
            String n = t.name();
            int slot = n.endsWith(SUFFIX_A) ? 0 : n.endsWith(SUFFIX_B) ? 1 : -1;
            if (slot < 0) {
                if (n.endsWith("_norm.weight")) {
                    continue; // mergekit-extract-lora writes norm vectors; llama.cpp skips them too
                }
                throw new IllegalArgumentException(file + ": unexpected tensor '" + n + "' (LoRA tensors end in .lora_a or .lora_b)");
            }
            pairs.computeIfAbsent(n.substring(0, n.length() - SUFFIX_A.length()), k -> new GgufTensor[2])[slot] = t;
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(file + ": the adapter has no .lora_a/.lora_b tensors");
        }

        Map<String, LoraWeights> weights = new LinkedHashMap<>();
        for (Map.Entry<String, GgufTensor[]> e : pairs.entrySet()) {
            String target = e.getKey();
            GgufTensor a = e.getValue()[0];
            GgufTensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw new IllegalArgumentException(file + ": LoRA tensor '" + target + (a == null ? SUFFIX_A : SUFFIX_B)
                        + "' is missing (the other half of the pair is present)");
            }
            GgufTensor w = base.tensorOrNull(target);
            if (w == null) {
                throw new IllegalArgumentException(file + ": LoRA target '" + target + "' does not exist in the base model "
                        + base.path().getFileName() + " (adapter made for another model?)");
            }
            if (!LoraTargets.isSupported(target)) {
                throw new IllegalArgumentException(file + ": LoRA on '" + target + "' is not supported (supported targets: "
                        + LoraTargets.SUPPORTED + ")");
            }
            checkType(file, a);
            checkType(file, b);
            checkShapes(file, target, w, a, b);
            WeightMatrix ma = WeightMatrix.of(a);
            WeightMatrix mb = WeightMatrix.of(b);
            weights.put(target, new LoraWeights(ma, mb, LoraWeights.factor(alpha, ma.rows(), false)));
        }
        return new LoraAdapter(adapterName(file), file, alpha, false, "GGUF", weights, gguf);
    }

    private static void checkType(Path file, GgufTensor t) {
        if (!TYPES.contains(t.type())) {
            throw new IllegalArgumentException(file + ": LoRA tensor '" + t.name() + "' has type " + t.type()
                    + " (supported: F32, F16, BF16, Q8_0)");
        }
    }

    /** llama.cpp's rules: a.ne0 = W.ne0 (n_in), b.ne1 = W.ne1 (n_out), a.ne1 = b.ne0 (r). */
    private static void checkShapes(Path file, String target, GgufTensor w, GgufTensor a, GgufTensor b) {
        if (w.shape().length != 2) {
            throw new IllegalArgumentException(file + ": LoRA target '" + target + "' has shape " + w.shapeString()
                    + ", only 2-D weights are supported");
        }
        if (a.shape().length != 2 || a.shape()[0] != w.shape()[0]) {
            throw mismatch(file, a, w, "[n_in=" + w.shape()[0] + ", r]");
        }
        if (b.shape().length != 2 || b.shape()[1] != w.shape()[1]) {
            throw mismatch(file, b, w, "[r, n_out=" + w.shape()[1] + "]");
        }
        if (a.shape()[1] != b.shape()[0]) {
            throw new IllegalArgumentException(file + ": LoRA tensors '" + a.name() + "' " + a.shapeString() + " and '" + b.name()
                    + "' " + b.shapeString() + " disagree on the rank (lora_a must be [n_in, r], lora_b [r, n_out])");
        }
    }

    private static IllegalArgumentException mismatch(Path file, GgufTensor lora, GgufTensor w, String expected) {
        return new IllegalArgumentException(file + ": LoRA tensor '" + lora.name() + "' has shape " + lora.shapeString()
                + " but base tensor '" + w.name() + "' has shape " + w.shapeString() + " (expected " + expected
                + "; adapter made for another model?)");
    }

    static String adapterName(Path p) {
        String n = p.getFileName() == null ? p.toString() : p.getFileName().toString();
        return n.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }
}
