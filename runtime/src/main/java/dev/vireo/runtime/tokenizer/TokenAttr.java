package dev.vireo.runtime.tokenizer;

/**
 * Token attribute bits, as llama.cpp derives them from {@code tokenizer.ggml.token_type}. Kept as
 * bits because llama.cpp's post-load fix-ups add bits (a NORMAL token forced to CONTROL keeps
 * NORMAL too) and tests of one bit must then behave the same way.
 */
final class TokenAttr {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 2;
    static final int NORMAL = 4;
    static final int CONTROL = 8;
    static final int USER_DEFINED = 16;
    static final int BYTE = 32;

    /** Control and unknown tokens: not rendered unless asked, not parsed unless asked. */
    static final int SPECIAL = UNKNOWN | CONTROL;

    private TokenAttr() {}

    /** The attribute of a GGUF token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
    static int fromTokenType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
