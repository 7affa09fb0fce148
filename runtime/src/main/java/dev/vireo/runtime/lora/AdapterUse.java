package dev.vireo.runtime.lora;

import java.util.Objects;

/**
 * One adapter switched on for a session (or a merge), with the user's scale.
 *
 * <p>The factor applied to the adapter's low-rank product is {@code scale * alpha / rank}
 * (rsLoRA: {@code scale * alpha / sqrt(rank)}); {@code scale = 1} is llama.cpp's {@code --lora},
 * other values its {@code --lora-scaled}, and {@code 0} turns the adapter off.
 *
 * @param adapter the loaded adapter (shared, read-only)
 * @param scale the user scale; finite
 */
public record AdapterUse(LoraAdapter adapter, float scale) {
    public AdapterUse {
        Objects.requireNonNull(adapter, "adapter");
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale for '" + adapter.name() + "' must be a finite number, not " + scale);
        }
    }

    /** The adapter at scale 1 (llama.cpp's {@code --lora}). */
    public static AdapterUse of(LoraAdapter adapter) {
        return new AdapterUse(adapter, 1f);
    }
}
