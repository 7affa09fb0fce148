package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.kernels.Quantizer;
import dev.vireo.kernels.WorkerPool;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A GGUF model with a real model's shapes and random weights, streamed to disk row by row (a
 * 1B-parameter file never sits in memory). Each tensor's values come from its own generator
 * seeded by (seed, tensor name), so a seed always gives the same file.
 */
final class SyntheticModel {
    /** Weights ~ uniform with the standard deviation of the usual 0.02 initialisation. */
    private static final float WEIGHT_RANGE = (float) (0.02 * Math.sqrt(3));

    private record Tensor(String name, long[] shape, GgmlType type, boolean norm) {
        long bytes() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return type.bytesFor(n);
        }
    }

    private final ModelShape shape;
    private final GgmlType type;
    private final long seed;
    private final List<Tensor> tensors = new ArrayList<>();
    /** Tensors written in another type because their rows do not fit the requested blocks. */
    private final Set<String> fallbacks = new LinkedHashSet<>();

    SyntheticModel(ModelShape shape, GgmlType type, long seed) {
        if (!Quantizer.supports(type)) {
            throw new UsageException("--type: cannot write " + type + " weights yet (the quantizer supports "
                    + supportedTypes() + ")");
        }
        this.shape = shape;
        this.type = type;
        this.seed = seed;
        int e = shape.embedding;
        int q = shape.heads * shape.headDim();
        int kv = shape.kvHeads * shape.headDim();
        matrix("token_embd.weight", e, shape.vocabulary);
        vector("output_norm.weight", e);
        if (!shape.tiedOutput) {
            matrix("output.weight", e, shape.vocabulary);
        }
        for (int l = 0; l < shape.layers; l++) {
            String b = "blk." + l + ".";
            vector(b + "attn_norm.weight", e);
            matrix(b + "attn_q.weight", e, q);
            matrix(b + "attn_k.weight", e, kv);
            matrix(b + "attn_v.weight", e, kv);
            if (shape.qkvBias) {
                bias(b + "attn_q.bias", q);
                bias(b + "attn_k.bias", kv);
                bias(b + "attn_v.bias", kv);
            }
            matrix(b + "attn_output.weight", q, e);
            vector(b + "ffn_norm.weight", e);
            matrix(b + "ffn_gate.weight", e, shape.feedForward);
            matrix(b + "ffn_up.weight", e, shape.feedForward);
            matrix(b + "ffn_down.weight", shape.feedForward, e);
        }
    }

    static String supportedTypes() {
        StringBuilder sb = new StringBuilder();
        for (GgmlType t : GgmlType.values()) {
            if (Quantizer.supports(t)) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return sb.toString();
    }

    /** A weight matrix of {@code rows} rows of {@code cols} values, in the requested type when its rows allow. */
    private void matrix(String name, int cols, int rows) {
        GgmlType t = type;
        if (cols % t.blockSize() != 0) {
            t = fallbackFor(type);
            if (cols % t.blockSize() != 0) {
                t = GgmlType.F16;
            }
            fallbacks.add(name + " as " + t);
        }
        tensors.add(new Tensor(name, new long[] {cols, rows}, t, false));
    }

    /**
     * The type a matrix gets when its rows are not whole blocks of the requested type, as
     * llama.cpp's quantizer chooses it: a 32-value type of about the same bits per weight (for
     * Q2_K/Q3_K llama.cpp takes IQ4_NL, which has no quantizer here: Q4_0 has the same size).
     */
    static GgmlType fallbackFor(GgmlType requested) {
        return switch (requested) {
            case Q2_K, Q3_K -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.Q8_0;
        };
    }

    private void vector(String name, int n) {
        tensors.add(new Tensor(name, new long[] {n}, GgmlType.F32, true));
    }

    private void bias(String name, int n) {
        tensors.add(new Tensor(name, new long[] {n}, GgmlType.F32, false));
    }

    long parameterCount() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.shape.length == 1 ? t.shape[0] : t.shape[0] * t.shape[1];
        }
        return n;
    }

    long tensorBytes() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.bytes();
        }
        return n;
    }

    /** Which tensors could not take the requested type (empty when all could). */
    Set<String> fallbacks() {
        return fallbacks;
    }

    /**
     * Writes the file.
     *
     * @param threads threads that quantize rows side by side (the values themselves are drawn in
     *     one sequence, so the file does not depend on this)
     * @param progress told the number of tensor bytes written so far, after each batch of rows
     */
    void write(Path out, int threads, LongConsumer progress) throws IOException {
        GgufWriter w = new GgufWriter();
        String a = shape.architecture;
        w.addMetadata("general.architecture", GgufValue.ofString(a));
        w.addMetadata("general.name", GgufValue.ofString("synthetic " + shape.id + " " + type + " seed " + seed));
        w.addMetadata("general.description", GgufValue.ofString(
                "random weights with the shapes of " + shape.id + ", made by vireo synth; for benchmarks, not for reading"));
        w.addMetadata(a + ".context_length", GgufValue.ofUInt32(shape.context));
        w.addMetadata(a + ".embedding_length", GgufValue.ofUInt32(shape.embedding));
        w.addMetadata(a + ".block_count", GgufValue.ofUInt32(shape.layers));
        w.addMetadata(a + ".feed_forward_length", GgufValue.ofUInt32(shape.feedForward));
        w.addMetadata(a + ".attention.head_count", GgufValue.ofUInt32(shape.heads));
        w.addMetadata(a + ".attention.head_count_kv", GgufValue.ofUInt32(shape.kvHeads));
        w.addMetadata(a + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(shape.rmsEps));
        w.addMetadata(a + ".rope.freq_base", GgufValue.ofFloat32(shape.ropeBase));
        w.addMetadata(a + ".rope.dimension_count", GgufValue.ofUInt32(shape.headDim()));
        w.addMetadata(a + ".vocab_size", GgufValue.ofUInt32(shape.vocabulary));
        SyntheticVocabulary.addTo(w, shape.vocabulary);

        long[] written = {0};
        try (WorkerPool pool = new WorkerPool(Math.max(1, threads))) {
            for (Tensor t : tensors) {
                w.addTensor(t.name, t.type, t.shape, o -> writeTensor(t, o, pool, written, progress));
            }
            w.write(out);
        }
    }

    private void writeTensor(Tensor t, OutputStream out, WorkerPool pool, long[] written, LongConsumer progress)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ nameHash(t.name));
        long before = written[0];
        RandomRowsWriter.write(t.type, (int) t.shape[0], t.shape.length == 1 ? 1 : t.shape[1], (values, count) -> {
            for (int i = 0; i < count; i++) {
                // Norm weights near 1 (as trained models have), everything else small and centred.
                float u = (float) (random.nextDouble() * 2 - 1);
                values[i] = t.norm ? 1f + 0.1f * u : WEIGHT_RANGE * u;
            }
        }, pool, out, bytes -> {
            written[0] = before + bytes;
            progress.accept(written[0]);
        });
    }

    /** FNV-1a of the name: a stable per-tensor seed offset (String.hashCode would do, but is 32-bit). */
    private static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
