/**
 * Running language models: the public embedding API of Vireo.
 *
 * <ul>
 *   <li>{@link dev.vireo.runtime.Model}: a GGUF model loaded once (memory-mapped, thread-safe,
 *       shared) with its {@link dev.vireo.runtime.ModelConfig} and tokenizer.</li>
 *   <li>{@link dev.vireo.runtime.Session}: one conversation: its own KV cache, sampler, LoRA
 *       adapters and thread pool; {@code generate} streams tokens to a
 *       {@link dev.vireo.runtime.TokenListener} and returns a
 *       {@link dev.vireo.runtime.GenerationResult}; {@code evaluate} gives raw logits.</li>
 *   <li>{@link dev.vireo.runtime.GenerationParams}: sampling (greedy, temperature, top-k, top-p,
 *       min-p, repetition penalty, seed), token limit and stop strings.</li>
 *   <li>{@link dev.vireo.runtime.SessionOptions}: threads, context length and prompt batch size of
 *       a session.</li>
 *   <li>{@link dev.vireo.runtime.ForwardProfile}: where a session's tokens spend their time, per
 *       section of the forward pass, for prompts and generation apart (while
 *       {@code Session.setProfiling(true)}).</li>
 * </ul>
 *
 * <p>Architectures: llama, qwen2 and qwen3, run by one forward pass whose differences are the
 * RoPE style and the optional tensors the file has (q/k/v biases, q/k norms, a separate output
 * matrix, {@code rope_freqs}). Going past a session's context is a
 * {@link dev.vireo.runtime.ContextOverflowException}.
 */
package dev.vireo.runtime;
