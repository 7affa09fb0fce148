package dev.vireo.runtime;

import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.VectorOps;
import dev.vireo.runtime.ForwardProfile.Phase;
import dev.vireo.runtime.ForwardProfile.Section;
import dev.vireo.runtime.lora.AdapterUse;
import dev.vireo.runtime.tokenizer.TokenDecoder;
import dev.vireo.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One conversation with a {@link Model}: its own KV cache, buffers, sampler, LoRA adapters and
 * thread pool. Tokens accumulate in the context across calls (a chat keeps its history) until
 * {@link #reset()}.
 *
 * <p>Use from one thread at a time; only {@link #cancel()} may be called from another thread.
 * Close the session to stop its threads.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final ModelConfig config;
    private final MatrixKernels kernels;
    private final KvCache cache;
    /** Package-private for GenerationTest, which stops a run inside a batch. */
    final ForwardPass forward;
    private final Sampler sampler;
    private final int contextLength;
    /** Tokens in the context; {@code [0, evaluated)} are in the KV cache, the rest are pending. */
    private final int[] history;
    private int position;
    private int evaluated;
    /** The logits after the last evaluated token (valid when {@code logitsValid}). */
    private final float[] logits;
    /** Scratch for the sampler, which edits the logits it is given. */
    private final float[] work;
    private boolean logitsValid;
    /** Section times while {@link #profiling}; the forward pass writes into it too. */
    private final ForwardProfile profile = new ForwardProfile();
    private boolean profiling;
    private volatile boolean cancelled;
    /** {@link #cancelled} for the forward pass's checks between layers (one object, made once). */
    private final BooleanSupplier cancelCheck = () -> cancelled;
    private boolean closed;

    Session(Model model, SessionOptions options) {
        Objects.requireNonNull(options, "options");
        this.model = model;
        this.config = model.config();
        int threads = options.threads() == 0 ? Runtime.getRuntime().availableProcessors() : options.threads();
        this.contextLength = options.effectiveContextLength(config.contextLength());
        boolean scalar = model.options().scalarKernels();
        VectorOps ops = scalar ? KernelProvider.scalarVectorOps() : KernelProvider.vectorOps();
        this.kernels = scalar ? KernelProvider.scalarMatrixKernels(threads) : KernelProvider.matrixKernels(threads);
        try {
            this.cache = new KvCache(config.blockCount(), config.headCountKv(), config.headDim(), contextLength);
            this.forward = new ForwardPass(config, model.weights(), kernels, ops, cache,
                    Math.min(options.batchSize(), contextLength));
            this.sampler = new Sampler(config.vocabSize());
            this.history = new int[contextLength];
            this.logits = new float[config.vocabSize()];
            this.work = new float[config.vocabSize()];
        } catch (RuntimeException | Error e) {
            kernels.close();
            throw e;
        }
    }

    public Model model() {
        return model;
    }

    /** Tokens in the context so far (the next token goes at this position). */
    public int position() {
        return position;
    }

    /** Positions this session's context holds at most. */
    public int contextLength() {
        return contextLength;
    }

    /** Tokens of a prompt evaluated together: the options' batch size, at most the context length. */
    public int batchSize() {
        return forward.maxBatch();
    }

    /** Threads of this session's kernels. */
    public int threads() {
        return kernels.threads();
    }

    /** "Vector API ..." or "scalar ...": what computes the products. */
    public String kernelDescription() {
        return kernels.description();
    }

    /**
     * Tokenizes {@code prompt} (with BOS as the model's metadata asks when the context is empty;
     * special-token text such as {@code <|im_start|>} is parsed as special, as llama.cpp's CLI
     * does) and generates after it. See {@link #generate(int[], GenerationParams, TokenListener)}.
     */
    public GenerationResult generate(String prompt, GenerationParams params, TokenListener listener) {
        checkOpen();
        int[] ids = model.tokenizer().encode(prompt, position == 0, true);
        return generate(ids, params, listener);
    }

    /**
     * Appends {@code promptTokens} to the context (batched) and generates until an
     * end-of-generation token, a stop string, {@code maxTokens}, a full context or
     * {@link #cancel()}. Each generated token is added to the context (it is evaluated when the
     * next token is needed, so a following call continues the same text); an end-of-generation
     * token is not added. {@code listener} gets every generated token with the complete
     * characters it finishes; text held back until the end (a possible stop-string start, an
     * unfinished character) comes in a last call with token id -1.
     *
     * @param promptTokens may be empty to continue from the current context
     * @throws ContextOverflowException if the prompt does not fit (nothing is appended then)
     */
    public GenerationResult generate(int[] promptTokens, GenerationParams params, TokenListener listener) {
        checkOpen();
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(listener, "listener");
        cancelled = false;
        Tokenizer tokenizer = model.tokenizer();
        long t0 = System.nanoTime();
        if (promptTokens.length > 0) {
            append(promptTokens, null, true);
        } else if (position > evaluated) {
            evaluatePending(true);
        } else if (!logitsValid) {
            throw new IllegalArgumentException("nothing to generate from: the prompt and the context are empty");
        }
        long t1 = System.nanoTime();
        long seed = params.seed() == GenerationParams.RANDOM_SEED ? System.nanoTime() * 0x9E3779B97F4A7C15L : params.seed();
        sampler.configure(params, seed);
        TokenDecoder decoder = tokenizer.newDecoder();
        StopStringFilter stop = new StopStringFilter(params.stopStrings());
        StringBuilder text = new StringBuilder();
        int max = params.maxTokens();
        int generated = 0;
        // SentencePiece's rule (llama2.c prints "Once upon", not " Once upon"): the space the
        // encoder puts in front of a text is not part of it, so the first token after BOS loses it.
        boolean firstAfterBos = position == 1 && history[0] == tokenizer.bosId();
        StopReason reason;
        while (true) {
            if (cancelled) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (max >= 0 && generated >= max) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            if (position >= contextLength) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            if (position > evaluated) {
                evaluatePending(false); // the token generated last
            }
            if (profiling) {
                profile.begin(Phase.GENERATION);
            }
            float[] input = logits;
            if (sampler.editsLogits()) { // keep the model's logits intact for a later call
                System.arraycopy(logits, 0, work, 0, work.length);
                input = work;
            }
            int id = sampler.sample(input, history, position);
            if (profiling) {
                profile.lap(Section.SAMPLING);
            }
            if (tokenizer.isEndOfGeneration(id)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            history[position++] = id;
            generated++;
            String raw = decoder.accept(id);
            if (firstAfterBos) {
                raw = dropSpacePrefix(tokenizer, id, raw);
                firstAfterBos = false;
            }
            String piece = stop.accept(raw);
            boolean last = stop.matched() || (max >= 0 && generated >= max) || position >= contextLength;
            if (last) {
                piece += finish(decoder, stop);
            }
            text.append(piece);
            listener.onToken(id, piece);
            if (stop.matched()) {
                reason = StopReason.STOP_STRING;
                break;
            }
        }
        String tail = finish(decoder, stop);
        if (!tail.isEmpty()) {
            text.append(tail);
            listener.onToken(-1, tail);
        }
        long t2 = System.nanoTime();
        return new GenerationResult(text.toString(), promptTokens.length, generated, reason, t1 - t0, t2 - t1);
    }

    /**
     * The piece of the first token of a text without its leading space when the vocabulary adds
     * a space prefix: {@code Tokenizer.decode} of the token alone applies exactly that rule.
     */
    private static String dropSpacePrefix(Tokenizer tokenizer, int id, String piece) {
        if (piece.startsWith(" ") && !tokenizer.decode(new int[] {id}).startsWith(" ")) {
            return piece.substring(1);
        }
        return piece;
    }

    /** What the decoder and the stop filter still hold, unless a stop string ends it. */
    private static String finish(TokenDecoder decoder, StopStringFilter stop) {
        String rest = stop.accept(decoder.flush());
        return stop.matched() ? rest : rest + stop.flush();
    }

    /**
     * Appends tokens to the context in batched steps and returns the logits of the last one.
     *
     * @return a new array of {@code vocabSize} logits
     * @throws ContextOverflowException if the tokens do not fit (nothing is appended then)
     */
    public float[] evaluate(int[] tokens) {
        append(tokens, null, false);
        if (!profiling) {
            return logits.clone();
        }
        profile.begin(phaseOf(tokens.length));
        float[] out = logits.clone();
        profile.lap(Section.SAMPLING);
        return out;
    }

    /**
     * Appends tokens to the context and writes the logits after each of them: row t (the logits
     * after token t) at {@code logitsPerToken[t * vocabSize]}.
     *
     * @throws ContextOverflowException if the tokens do not fit (nothing is appended then)
     */
    public void evaluate(int[] tokens, float[] logitsPerToken) {
        long need = (long) tokens.length * config.vocabSize();
        if (logitsPerToken.length < need) {
            throw new IllegalArgumentException("logits array of " + logitsPerToken.length + " floats is too small for "
                    + tokens.length + " tokens x " + config.vocabSize() + " logits");
        }
        append(tokens, logitsPerToken, false);
    }

    /**
     * Checks, then runs the tokens; {@code allLogits} null: only the last token's, into {@link #logits}.
     *
     * @param stopOnCancel stop between layers when {@link #cancel()} was called: the tokens not
     *     run yet (the interrupted batch included) stay in the context as pending, run by the
     *     next call, so nothing is lost
     */
    private void append(int[] tokens, float[] allLogits, boolean stopOnCancel) {
        checkOpen();
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to evaluate");
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary of " + vocab);
            }
        }
        reserve(tokens.length);
        System.arraycopy(tokens, 0, history, position, tokens.length);
        position += tokens.length;
        if (allLogits == null) {
            evaluatePending(stopOnCancel);
        } else {
            flushPendingBefore(position - tokens.length);
            runBatches(tokens, 0, tokens.length, allLogits, false);
            logitsValid = true;
            System.arraycopy(allLogits, (tokens.length - 1) * vocab, logits, 0, vocab);
        }
    }

    /** Makes room for {@code more} positions or throws, leaving the session unchanged. */
    private void reserve(int more) {
        long need = (long) position + more;
        if (need > contextLength) {
            throw new ContextOverflowException((int) Math.min(Integer.MAX_VALUE, need), contextLength);
        }
    }

    /** Runs every token not yet in the KV cache, leaving the last one's logits in {@link #logits}. */
    private void evaluatePending(boolean stopOnCancel) {
        int n = position - evaluated;
        if (n > 0) {
            cache.checkPositions(position); // generated tokens joined the history without a reserve()
            runBatches(history, evaluated, n, null, stopOnCancel);
        }
    }

    /** Runs pending tokens before index {@code end} of the history, discarding their logits. */
    private void flushPendingBefore(int end) {
        cache.checkPositions(end);
        Phase phase = phaseOf(end - evaluated);
        while (evaluated < end) {
            int n = Math.min(forward.maxBatch(), end - evaluated);
            forward(phase, history, evaluated, n, null, 0, false, false);
            evaluated += n;
            logitsValid = false;
        }
    }

    /**
     * Runs {@code n} tokens starting at {@code tokens[off]} (which are the history entries from
     * {@code evaluated} on) in batches; with {@code all} null only the last logits are kept.
     * Stopped by a cancel (when asked), it leaves the rest pending and the logits invalid.
     */
    private void runBatches(int[] tokens, int off, int n, float[] all, boolean stopOnCancel) {
        int vocab = config.vocabSize();
        Phase phase = phaseOf(n);
        for (int done = 0; done < n; ) {
            int b = Math.min(forward.maxBatch(), n - done);
            boolean last = done + b == n;
            boolean completed = all != null
                    ? forward(phase, tokens, off + done, b, all, done * vocab, true, stopOnCancel)
                    : forward(phase, tokens, off + done, b, last ? logits : null, 0, false, stopOnCancel);
            if (!completed) {
                // cancelled (the pass asks before every layer, the first included): this batch
                // and the rest stay pending, its positions are run again
                logitsValid = false;
                return;
            }
            evaluated += b;
            done += b;
        }
        logitsValid = true;
    }

    /**
     * One forward run of {@code n} tokens at position {@link #evaluated}, timed when profiling.
     *
     * @param stoppable end between layers when {@link #cancel()} is called
     * @return false when cancelled before the last layer
     */
    private boolean forward(Phase phase, int[] tokens, int off, int n, float[] out, int outOff, boolean allRows,
            boolean stoppable) {
        BooleanSupplier stop = stoppable ? cancelCheck : null;
        if (!profiling) {
            return forward.run(tokens, off, n, evaluated, out, outOff, allRows, stop);
        }
        profile.begin(phase);
        boolean completed = forward.run(tokens, off, n, evaluated, out, outOff, allRows, stop);
        if (completed) {
            profile.addTokens(phase, n);
        }
        return completed;
    }

    /** A call evaluating one token is a generation step (the decode path), several a prompt. */
    private static Phase phaseOf(int tokensInCall) {
        return tokensInCall == 1 ? Phase.GENERATION : Phase.PROMPT;
    }

    /**
     * Turns the per-section timing of this session's tokens on or off (off at start). What was
     * collected stays until {@link #clearProfile()}. Off, it costs one boolean test per section.
     */
    public void setProfiling(boolean on) {
        checkOpen();
        profiling = on;
        forward.setProfile(on ? profile : null);
    }

    /** Whether {@link #setProfiling(boolean) profiling} is on. */
    public boolean isProfiling() {
        return profiling;
    }

    /** A snapshot of the time per section and phase collected so far (all zero if never profiled). */
    public ForwardProfile profile() {
        return profile.snapshot();
    }

    /** Forgets the collected profile (profiling stays on or off). */
    public void clearProfile() {
        profile.clear();
    }

    /**
     * Switches this session to these adapters (an empty list: none) and clears its context,
     * since cached keys and values were computed with the previous weights.
     *
     * @throws IllegalArgumentException if an adapter does not fit this model's matrices
     */
    public void setAdapters(List<AdapterUse> adapters) {
        checkOpen();
        LoraBinding binding = LoraBinding.of(List.copyOf(adapters), model.weights(), forward.maxBatch());
        forward.setLora(binding.perLayer, binding.output);
        reset();
    }

    /** Empties the context (the KV cache is overwritten from position 0 on). */
    public void reset() {
        position = 0;
        evaluated = 0;
        logitsValid = false;
    }

    /**
     * Asks a running {@code generate} to stop: in its prompt at the next layer boundary (the
     * batch being run and the rest of the prompt stay in the context and are read by the next
     * call) or after the current token.
     * Callable from any thread; a call made before {@code generate} starts has no effect.
     */
    public void cancel() {
        cancelled = true;
    }

    /** Stops this session's threads. The session cannot be used afterwards. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            kernels.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
    }
}
