package dev.vireo.runtime;

/** The weight matrices of one transformer layer, named as in GGUF ({@code blk.N.<suffix>.weight}). */
enum Projection {
    Q("attn_q"),
    K("attn_k"),
    V("attn_v"),
    O("attn_output"),
    GATE("ffn_gate"),
    UP("ffn_up"),
    DOWN("ffn_down");

    static final Projection[] ALL = values();

    private final String suffix;

    Projection(String suffix) {
        this.suffix = suffix;
    }

    /** {@code blk.<layer>.<suffix>.weight}: the name LoRA adapters use too. */
    String weightName(int layer) {
        return "blk." + layer + "." + suffix + ".weight";
    }

    /** {@code blk.<layer>.<suffix>.bias}. */
    String biasName(int layer) {
        return "blk." + layer + "." + suffix + ".bias";
    }
}
