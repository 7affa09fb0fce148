/**
 * LoRA adapters: loading (llama.cpp GGUF adapters and Hugging Face PEFT folders), the low-rank
 * terms the kernels fuse into each matrix product, and merging adapters into a new GGUF.
 *
 * <p>{@link dev.vireo.runtime.lora.LoraAdapter} is what a {@code Model} loads once per path and
 * shares; {@link dev.vireo.runtime.lora.AdapterUse} is one adapter with a user scale, as a
 * {@code Session} (or {@link dev.vireo.runtime.lora.LoraMerge}) takes them. A term is
 * {@code scale * alpha / r * B (A x)} added to {@code W x}; with several adapters the terms add up.
 */
package dev.vireo.runtime.lora;
