package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain scalar dequantization of one block of every supported ggml type, straight from the
 * mapped bytes. This is the readable ground truth the fast kernels are tested against, so the
 * float arithmetic follows ggml's reference order exactly (bit-exact dequantization).
 */
final class Blocks {
    private Blocks() {}

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The IQ4_NL / IQ4_XS non-linear 4-bit code book. */
    static final byte[] IQ4_VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** Whether {@link #dequantize} knows the type. */
    static boolean supports(GgmlType t) {
        return switch (t) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS -> true;
            default -> false;
        };
    }

    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(U16, off));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    /**
     * Writes the {@code type.blockSize()} values of the block at byte {@code off} into
     * {@code out[o ..]}.
     */
    static void dequantize(GgmlType type, MemorySegment s, long off, float[] out, int o) {
        switch (type) {
            case F32 -> out[o] = s.get(F32, off);
            case F16 -> out[o] = f16(s, off);
            case BF16 -> out[o] = Halves.bf16ToFloat(s.get(U16, off));
            case Q8_0 -> q8_0(s, off, out, o);
            case Q4_0 -> q4_0(s, off, out, o);
            case Q4_1 -> q4_1(s, off, out, o);
            case Q5_0 -> q5_0(s, off, out, o);
            case Q5_1 -> q5_1(s, off, out, o);
            case IQ4_NL -> iq4nl(s, off, out, o);
            case Q2_K -> q2k(s, off, out, o);
            case Q3_K -> q3k(s, off, out, o);
            case Q4_K -> q4k(s, off, out, o);
            case Q5_K -> q5k(s, off, out, o);
            case Q6_K -> q6k(s, off, out, o);
            case IQ4_XS -> iq4xs(s, off, out, o);
            default -> throw new IllegalArgumentException("weight type " + type + " is not supported by the kernels");
        }
    }

    private static void q8_0(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        for (int j = 0; j < 32; j++) {
            out[o + j] = i8(s, off + 2 + j) * d;
        }
    }

    private static void q4_0(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        for (int j = 0; j < 16; j++) {
            int b = u8(s, off + 2 + j);
            out[o + j] = ((b & 0xF) - 8) * d;
            out[o + j + 16] = ((b >> 4) - 8) * d;
        }
    }

    private static void q4_1(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        float m = f16(s, off + 2);
        for (int j = 0; j < 16; j++) {
            int b = u8(s, off + 4 + j);
            out[o + j] = (b & 0xF) * d + m;
            out[o + j + 16] = (b >> 4) * d + m;
        }
    }

    private static void q5_0(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        int qh = s.get(U32, off + 2);
        for (int j = 0; j < 16; j++) {
            int b = u8(s, off + 6 + j);
            int lo = (b & 0xF) | ((qh >>> j) & 1) << 4;
            int hi = (b >> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = (lo - 16) * d;
            out[o + j + 16] = (hi - 16) * d;
        }
    }

    private static void q5_1(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        float m = f16(s, off + 2);
        int qh = s.get(U32, off + 4);
        for (int j = 0; j < 16; j++) {
            int b = u8(s, off + 8 + j);
            int lo = (b & 0xF) | ((qh >>> j) & 1) << 4;
            int hi = (b >> 4) | ((qh >>> (j + 16)) & 1) << 4;
            out[o + j] = lo * d + m;
            out[o + j + 16] = hi * d + m;
        }
    }

    private static void iq4nl(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        for (int j = 0; j < 16; j++) {
            int b = u8(s, off + 2 + j);
            out[o + j] = d * IQ4_VALUES[b & 0xF];
            out[o + j + 16] = d * IQ4_VALUES[b >> 4];
        }
    }

    /** Scale (index 0) and min (index 1) of sub-block {@code sub} from the 12-byte K-quant packing. */
    static int scaleK4(MemorySegment s, long scales, int sub) {
        if (sub < 4) {
            return u8(s, scales + sub) & 63;
        }
        return (u8(s, scales + sub + 4) & 0xF) | ((u8(s, scales + sub - 4) >> 6) << 4);
    }

    static int minK4(MemorySegment s, long scales, int sub) {
        if (sub < 4) {
            return u8(s, scales + sub + 4) & 63;
        }
        return (u8(s, scales + sub + 4) >> 4) | ((u8(s, scales + sub) >> 6) << 4);
    }

    private static void q4k(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        float dmin = f16(s, off + 2);
        long qs = off + 16;
        for (int c = 0; c < 4; c++) {
            float d1 = d * scaleK4(s, off + 4, 2 * c);
            float m1 = dmin * minK4(s, off + 4, 2 * c);
            float d2 = d * scaleK4(s, off + 4, 2 * c + 1);
            float m2 = dmin * minK4(s, off + 4, 2 * c + 1);
            for (int l = 0; l < 32; l++) {
                int b = u8(s, qs + 32 * c + l);
                out[o + 64 * c + l] = d1 * (b & 0xF) - m1;
                out[o + 64 * c + 32 + l] = d2 * (b >> 4) - m2;
            }
        }
    }

    private static void q5k(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        float dmin = f16(s, off + 2);
        long qh = off + 16;
        long qs = off + 48;
        for (int c = 0; c < 4; c++) {
            int s1 = 2 * c;
            int s2 = 2 * c + 1;
            float d1 = d * scaleK4(s, off + 4, s1);
            float m1 = dmin * minK4(s, off + 4, s1);
            float d2 = d * scaleK4(s, off + 4, s2);
            float m2 = dmin * minK4(s, off + 4, s2);
            for (int l = 0; l < 32; l++) {
                int b = u8(s, qs + 32 * c + l);
                int h = u8(s, qh + l);
                out[o + 64 * c + l] = d1 * ((b & 0xF) + (((h >> s1) & 1) << 4)) - m1;
                out[o + 64 * c + 32 + l] = d2 * ((b >> 4) + (((h >> s2) & 1) << 4)) - m2;
            }
        }
    }

    private static void q6k(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off + 208);
        for (int i = 0; i < 256; i++) {
            int h = i / 128;
            int r = i % 128;
            int k = r / 32;
            int l = r % 32;
            int low4 = (u8(s, off + 64 * h + l + 32 * (k & 1)) >> (4 * (k >> 1))) & 0xF;
            int high2 = (u8(s, off + 128 + 32 * h + l) >> (2 * k)) & 3;
            int q = (low4 | high2 << 4) - 32;
            out[o + i] = (d * i8(s, off + 192 + i / 16)) * q;
        }
    }

    private static void q2k(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off + 80);
        float dmin = f16(s, off + 82);
        for (int i = 0; i < 256; i++) {
            int h = i / 128;
            int r = i % 128;
            int j = r / 32;
            int l = r % 32;
            int q = (u8(s, off + 16 + 32 * h + l) >> (2 * j)) & 3;
            int sc = u8(s, off + i / 16);
            out[o + i] = (d * (sc & 15)) * q - dmin * (sc >> 4);
        }
    }

    private static void q3k(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off + 108);
        long sc = off + 96;
        for (int i = 0; i < 256; i++) {
            int h = i / 128;
            int r = i % 128;
            int j = r / 32;
            int l = r % 32;
            int k = i / 16;
            int low4 = k < 8 ? u8(s, sc + k) & 15 : u8(s, sc + k - 8) >> 4;
            int hi2 = (u8(s, sc + 8 + k % 4) >> (2 * (k / 4))) & 3;
            int scale = (low4 | hi2 << 4) - 32;
            int q2 = (u8(s, off + 32 + 32 * h + l) >> (2 * j)) & 3;
            int hb = (u8(s, off + l) >> (4 * h + j)) & 1;
            out[o + i] = (d * scale) * (q2 - (hb != 0 ? 0 : 4));
        }
    }

    private static void iq4xs(MemorySegment s, long off, float[] out, int o) {
        float d = f16(s, off);
        int scalesH = s.get(U16, off + 2) & 0xFFFF;
        for (int ib = 0; ib < 8; ib++) {
            int ls = ((u8(s, off + 4 + ib / 2) >> (4 * (ib % 2))) & 15) | (((scalesH >> (2 * ib)) & 3) << 4);
            float dl = d * (ls - 32);
            for (int j = 0; j < 16; j++) {
                int b = u8(s, off + 8 + 16 * ib + j);
                out[o + 32 * ib + j] = dl * IQ4_VALUES[b & 0xF];
                out[o + 32 * ib + 16 + j] = dl * IQ4_VALUES[b >> 4];
            }
        }
    }
}
