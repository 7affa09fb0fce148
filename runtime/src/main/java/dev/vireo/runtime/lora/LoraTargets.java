package dev.vireo.runtime.lora;

import java.util.regex.Pattern;

/**
 * The base weights an adapter may touch: the ones the runtime multiplies through
 * {@code MatrixKernels} with a {@code LowRankSet}. Anything else (token embeddings, fused qkv of
 * architectures we do not run, norms) would be loaded and then silently never applied, so it is
 * refused instead.
 */
final class LoraTargets {
    private LoraTargets() {}

    static final String SUPPORTED = "attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, output";

    private static final Pattern TARGET =
            Pattern.compile("blk\\.\\d+\\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\\.weight|output\\.weight");

    static boolean isSupported(String baseTensorName) {
        return TARGET.matcher(baseTensorName).matches();
    }
}
