package dev.vireo.runtime;

import dev.vireo.gguf.GgufFile;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.runtime.lora.LoraAdapter;
import dev.vireo.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A model loaded from a GGUF file: its config, weights (read in place from one shared
 * memory mapping) and tokenizer. Thread-safe and meant to be shared: each {@link Session} made
 * from it has its own KV cache, buffers, sampler and thread pool.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      Session s = model.newSession()) {
 *     GenerationResult r = s.generate("Once upon a time", GenerationParams.defaults(), TokenListener.NONE);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final ModelOptions options;
    private final Tokenizer tokenizer;
    private final ConcurrentMap<Path, LoraAdapter> adapters = new ConcurrentHashMap<>();

    private Model(GgufFile file, ModelConfig config, ModelWeights weights, ModelOptions options, Tokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.config = config;
        this.weights = weights;
        this.options = options;
    }

    /** Loads a model with the default options. */
    public static Model load(Path gguf) throws IOException {
        return load(gguf, ModelOptions.defaults());
    }

    /**
     * Maps a GGUF file and checks every tensor the forward pass needs.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and the problem (unsupported architecture,
     *     missing key or tensor, wrong shape...)
     */
    public static Model load(Path gguf, ModelOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        GgufFile file = GgufFile.open(gguf);
        try {
            ModelConfig config;
            try {
                config = ModelConfig.fromMetadata(file.metadata());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(gguf + ": " + e.getMessage(), e);
            }
            ModelWeights weights;
            try (MatrixKernels vectors = KernelProvider.scalarMatrixKernels(1)) {
                weights = new ModelWeights(file, config, vectors);
            }
            Tokenizer tokenizer;
            try {
                tokenizer = Tokenizer.fromMetadata(file.metadata());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(gguf + ": " + e.getMessage(), e);
            }
            if (tokenizer.vocabSize() != config.vocabSize()) {
                throw new IllegalArgumentException(gguf + ": the tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the model " + config.vocabSize());
            }
            return new Model(file, config, weights, options, tokenizer);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The model's tokenizer (from the GGUF's {@code tokenizer.ggml.*} metadata). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The mapped file (metadata, tensors). */
    public GgufFile file() {
        return file;
    }

    public ModelOptions options() {
        return options;
    }

    ModelWeights weights() {
        return weights;
    }

    /** A session with the default options (all processors, the model's context length). */
    public Session newSession() {
        return newSession(SessionOptions.defaults());
    }

    /** A new session: its own KV cache, sampler and thread pool. Close it when done. */
    public Session newSession(SessionOptions options) {
        return new Session(this, options);
    }

    /**
     * Loads a LoRA adapter (llama.cpp GGUF adapter or PEFT folder) for this model, once per path:
     * later calls with the same path return the same adapter. Thread-safe.
     *
     * @throws IllegalArgumentException if the adapter does not fit this model
     */
    public LoraAdapter loadAdapter(Path fileOrPeftDir) {
        Path key = fileOrPeftDir.toAbsolutePath().normalize();
        return adapters.computeIfAbsent(key, p -> LoraAdapter.load(p, file));
    }

    /** One line: architecture, parameters, weight type, file size, layers, context. */
    public String describe() {
        return String.format(Locale.ROOT, "%s, %s parameters, %s, %s, %d layers, %d heads (%d kv), context %d%s",
                config.architecture().ggufName(), humanCount(weights.parameterCount), weights.mainType,
                humanBytes(file.fileSize()), config.blockCount(), config.headCount(), config.headCountKv(),
                config.contextLength(), weights.tiedOutput ? ", tied output" : "");
    }

    static String humanCount(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.1fK", n / 1e3);
        }
        return Long.toString(n);
    }

    static String humanBytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }

    /** Releases the adapters and the file mapping. Close every session first. */
    @Override
    public void close() {
        for (LoraAdapter a : adapters.values()) {
            a.close();
        }
        adapters.clear();
        file.close();
    }
}
