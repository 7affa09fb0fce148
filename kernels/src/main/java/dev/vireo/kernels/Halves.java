package dev.vireo.kernels;

/** Conversions between float and the 16-bit float formats stored in GGUF files. */
public final class Halves {
    private Halves() {}

    /** IEEE binary16 bits to float (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Float to IEEE binary16 bits, round to nearest even (as ggml). */
    public static short floatToF16(float v) {
        return Float.floatToFloat16(v);
    }

    /** bfloat16 bits to float (exact: the bits are the upper half of a binary32). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Float to bfloat16 bits, round to nearest even; NaN stays a quiet NaN (as ggml). */
    public static short floatToBf16(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }
}
