package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Float to ggml block formats, for synthetic models, adapter merges and tests. F32 to Q5_1 give
 * the same bytes as ggml's reference quantizers ({@code quantize_row_*_ref}): the float
 * arithmetic keeps ggml's order and rounding rules so the bytes match exactly. The K-quants
 * (Q2_K .. Q6_K) search their scales the way ggml's do but are not byte-identical to them; see
 * {@link KQuantizer}.
 */
public final class Quantizer {
    private Quantizer() {}

    /** Whether {@link #quantizeRow} can write the type. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /** Bytes {@code n} values take in {@code type} (n must be a whole number of blocks). */
    public static long bytesFor(GgmlType type, int n) {
        return type.bytesFor(n);
    }

    /**
     * Quantizes {@code src[off .. off + n)} into {@code type} blocks written at {@code dst[dstOff ..]}.
     *
     * @throws IllegalArgumentException for an unsupported type, or n not a multiple of the block size
     */
    public static void quantizeRow(GgmlType type, float[] src, int off, int n, MemorySegment dst, long dstOff) {
        if (!supports(type)) {
            throw new IllegalArgumentException("cannot quantize to " + type
                    + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K)");
        }
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException("row length " + n + " is not a multiple of the " + type + " block size "
                    + type.blockSize());
        }
        if (off < 0 || n < 0 || off + n > src.length) {
            throw new IndexOutOfBoundsException(n + " values at " + off + " do not fit a source of " + src.length);
        }
        int bs = type.blockSize();
        int bb = type.bytesPerBlock();
        long o = dstOff;
        if (bs == KQuantizer.QK) {
            quantizeK(type, src, off, n, dst, o);
            return;
        }
        for (int i = 0; i < n; i += bs, o += bb) {
            switch (type) {
                case F32 -> dst.set(Blocks.F32, o, src[off + i]);
                case F16 -> dst.set(Blocks.U16, o, Halves.floatToF16(src[off + i]));
                case BF16 -> dst.set(Blocks.U16, o, Halves.floatToBf16(src[off + i]));
                case Q8_0 -> q8_0(src, off + i, dst, o);
                case Q4_0 -> q4_0(src, off + i, dst, o);
                case Q4_1 -> q4_1(src, off + i, dst, o);
                case Q5_0 -> q5_0(src, off + i, dst, o);
                case Q5_1 -> q5_1(src, off + i, dst, o);
                default -> throw new AssertionError(type);
            }
        }
    }

    private static void quantizeK(GgmlType type, float[] src, int off, int n, MemorySegment dst, long dstOff) {
        KQuantizer k = new KQuantizer();
        long o = dstOff;
        for (int i = 0; i < n; i += KQuantizer.QK, o += type.bytesPerBlock()) {
            switch (type) {
                case Q2_K -> k.q2k(src, off + i, dst, o);
                case Q3_K -> k.q3k(src, off + i, dst, o);
                case Q4_K -> k.q4k5k(src, off + i, dst, o, false);
                case Q5_K -> k.q4k5k(src, off + i, dst, o, true);
                case Q6_K -> k.q6k(src, off + i, dst, o);
                default -> throw new AssertionError(type);
            }
        }
    }

    /** C {@code roundf}: halves round away from zero (Java's Math.round would not). */
    static int roundAway(float v) {
        return (int) (Math.signum(v) * Math.floor(Math.abs((double) v) + 0.5));
    }

    private static void q8_0(float[] x, int o, MemorySegment dst, long d0) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Blocks.U16, d0, Halves.floatToF16(d));
        for (int j = 0; j < 32; j++) {
            dst.set(ValueLayout.JAVA_BYTE, d0 + 2 + j, (byte) roundAway(x[o + j] * id));
        }
    }

    /** The value with the largest magnitude, keeping its sign (the first one on ties). */
    private static float signedMax(float[] x, int o) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    private static void q4_0(float[] x, int o, MemorySegment dst, long d0) {
        float d = signedMax(x, o) / -8f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Blocks.U16, d0, Halves.floatToF16(d));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) (x[o + j] * id + 8.5f));
            int q1 = Math.min(15, (byte) (int) (x[o + 16 + j] * id + 8.5f));
            dst.set(ValueLayout.JAVA_BYTE, d0 + 2 + j, (byte) (q0 | q1 << 4));
        }
    }

    private static void q5_0(float[] x, int o, MemorySegment dst, long d0) {
        float d = signedMax(x, o) / -16f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Blocks.U16, d0, Halves.floatToF16(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (byte) (int) (x[o + j] * id + 16.5f));
            int q1 = Math.min(31, (byte) (int) (x[o + 16 + j] * id + 16.5f));
            dst.set(ValueLayout.JAVA_BYTE, d0 + 6 + j, (byte) ((q0 & 0xF) | (q1 & 0xF) << 4));
            qh |= ((q0 & 0x10) >> 4) << j;
            qh |= ((q1 & 0x10) >> 4) << (j + 16);
        }
        dst.set(Blocks.U32, d0 + 2, qh);
    }

    private static void q4_1(float[] x, int o, MemorySegment dst, long d0) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / 15f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Blocks.U16, d0, Halves.floatToF16(d));
        dst.set(Blocks.U16, d0 + 2, Halves.floatToF16(min));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (byte) (int) ((x[o + j] - min) * id + 0.5f));
            int q1 = Math.min(15, (byte) (int) ((x[o + 16 + j] - min) * id + 0.5f));
            dst.set(ValueLayout.JAVA_BYTE, d0 + 4 + j, (byte) (q0 | q1 << 4));
        }
    }

    private static void q5_1(float[] x, int o, MemorySegment dst, long d0) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[o + j]);
            max = Math.max(max, x[o + j]);
        }
        float d = (max - min) / 31f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Blocks.U16, d0, Halves.floatToF16(d));
        dst.set(Blocks.U16, d0 + 2, Halves.floatToF16(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = ((int) ((x[o + j] - min) * id + 0.5f)) & 0xFF;
            int q1 = ((int) ((x[o + 16 + j] - min) * id + 0.5f)) & 0xFF;
            dst.set(ValueLayout.JAVA_BYTE, d0 + 8 + j, (byte) ((q0 & 0xF) | (q1 & 0xF) << 4));
            qh |= ((q0 & 0x10) >> 4) << j;
            qh |= ((q1 & 0x10) >> 4) << (j + 16);
        }
        dst.set(Blocks.U32, d0 + 4, qh);
    }
}
