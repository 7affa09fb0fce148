package dev.vireo.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The published dimensions of models `vireo synth` imitates (their config.json / GGUF metadata),
 * so benchmarks on a synthetic file stream the same bytes per token as the real model.
 */
enum ModelShape {
    LLAMA_3_2_1B("llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, 131072, 500000f, 1e-5f, true, false),
    SMOLLM2_135M("smollm2-135m", "llama", 576, 30, 9, 3, 1536, 49152, 8192, 100000f, 1e-5f, true, false),
    QWEN2_5_0_5B("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, 32768, 1000000f, 1e-6f, true, true),
    /** The shape of the team's synthetic test models: small enough for unit tests. */
    TINY("tiny", "llama", 256, 2, 8, 2, 768, 512, 256, 10000f, 1e-5f, false, false);

    final String id;
    final String architecture;
    final int embedding;
    final int layers;
    final int heads;
    final int kvHeads;
    final int feedForward;
    final int vocabulary;
    final int context;
    final float ropeBase;
    final float rmsEps;
    /** The output matrix is the embedding matrix (no output.weight tensor). */
    final boolean tiedOutput;
    /** q, k and v projections have biases (qwen2). */
    final boolean qkvBias;

    ModelShape(String id, String architecture, int embedding, int layers, int heads, int kvHeads, int feedForward,
            int vocabulary, int context, float ropeBase, float rmsEps, boolean tiedOutput, boolean qkvBias) {
        this.id = id;
        this.architecture = architecture;
        this.embedding = embedding;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.feedForward = feedForward;
        this.vocabulary = vocabulary;
        this.context = context;
        this.ropeBase = ropeBase;
        this.rmsEps = rmsEps;
        this.tiedOutput = tiedOutput;
        this.qkvBias = qkvBias;
    }

    int headDim() {
        return embedding / heads;
    }

    static ModelShape byId(String id) {
        for (ModelShape s : values()) {
            if (s.id.equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new UsageException("--shape: unknown shape '" + id + "' (known: " + ids() + ")");
    }

    static String ids() {
        return Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", "));
    }
}
