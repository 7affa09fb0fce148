package dev.vireo.runtime.lora;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face module names of llama-style decoders (llama, mistral, qwen2, qwen3) and the GGUF
 * base tensors llama.cpp's converter turns them into.
 */
final class HfModules {
    private HfModules() {}

    private static final Pattern LAYER_MODULE =
            Pattern.compile("model\\.layers\\.(\\d+)\\.(self_attn|mlp)\\.([a-z_]+)");

    private static final Map<String, String> ATTENTION = Map.of(
            "q_proj", "attn_q", "k_proj", "attn_k", "v_proj", "attn_v", "o_proj", "attn_output");
    private static final Map<String, String> MLP = Map.of(
            "gate_proj", "ffn_gate", "up_proj", "ffn_up", "down_proj", "ffn_down");

    /** A recognised module: its GGUF tensor and what the Q/K permutation needs to know. */
    record Target(String ggufName, String projection) {
        boolean isQuery() {
            return projection.equals("q_proj");
        }

        boolean isKey() {
            return projection.equals("k_proj");
        }
    }

    /**
     * The GGUF base tensor for a module name such as {@code model.layers.3.self_attn.q_proj}.
     *
     * @throws IllegalArgumentException for embeddings, the output head (not supported) and any
     *     module we do not know
     */
    static Target target(String module) {
        Matcher m = LAYER_MODULE.matcher(module);
        if (m.matches()) {
            Map<String, String> names = m.group(2).equals("self_attn") ? ATTENTION : MLP;
            String kind = names.get(m.group(3));
            if (kind != null) {
                return new Target("blk." + m.group(1) + "." + kind + ".weight", m.group(3));
            }
        }
        if (module.endsWith("embed_tokens")) {
            throw new IllegalArgumentException("LoRA on the token embeddings ('" + module + "') is not supported");
        }
        if (module.endsWith("lm_head")) {
            throw new IllegalArgumentException("LoRA on the output head ('" + module + "') is not supported");
        }
        throw new IllegalArgumentException("unknown LoRA module '" + module
                + "' (supported: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj of model.layers.N)");
    }
}
