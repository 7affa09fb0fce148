package dev.vireo.cli;

import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** -m, -t, -c and -b as llama.cpp spells them, and loading with the one-line load report. */
final class ModelOptionsMixin {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model.")
    Path model;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Threads for the kernels (default: all processors).")
    int threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", paramLabel = "N",
            description = "Context length in tokens; the KV cache for it is allocated at start"
                    + " (default: the model's, at most " + SessionOptions.DEFAULT_CONTEXT + ").")
    int contextLength;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "" + SessionOptions.DEFAULT_BATCH, paramLabel = "N",
            description = "Prompt tokens evaluated together, through the matrix-matrix kernels"
                    + " (default: ${DEFAULT-VALUE}, at most the context).")
    int batchSize;

    int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    void validate() {
        if (threads < 0) {
            throw new UsageException("-t: threads must be 1 or more (0 = all processors), not " + threads);
        }
        if (contextLength < 0) {
            throw new UsageException("-c: context length must be positive (0 = the default), not " + contextLength);
        }
        if (batchSize < 1) {
            throw new UsageException("-b: batch size must be 1 or more, not " + batchSize);
        }
    }

    Model load() throws IOException {
        validate();
        Files2.requireFile(model, "-m");
        return Model.load(model);
    }

    /**
     * A session with these options; prints the load line on stderr: what the model is, the
     * context, the threads and the SIMD width the kernels use.
     */
    Session open(Model m, Io io, long loadNanos) {
        int ctx = new SessionOptions(effectiveThreads(), contextLength).effectiveContextLength(m.config().contextLength());
        if (contextLength > m.config().contextLength()) {
            io.err().println("vireo: -c " + contextLength + " is more than the model's context "
                    + m.config().contextLength() + "; using " + ctx);
        }
        Session s = m.newSession(new SessionOptions(effectiveThreads(), ctx, batchSize));
        io.err().printf("vireo: %s | context %d | batch %d | %d threads | %s | loaded in %d ms%n", m.describe(),
                s.contextLength(), s.batchSize(), s.threads(), s.kernelDescription(), loadNanos / 1_000_000);
        return s;
    }
}
