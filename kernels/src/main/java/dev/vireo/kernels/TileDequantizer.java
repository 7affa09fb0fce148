package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dequantizes a column range of one weight row into floats for the tiled matmul. Q8_0, Q4_0,
 * Q4_K and F32 have Vector API versions (bytes widened to float lanes, scaled with the same
 * float operations in the same order as {@link Blocks}, so the results are bit-identical); every
 * other type goes block by block through {@link Blocks#dequantize}, which is also the scalar
 * twin of the vector versions. Dequantization runs once per weight element and call, against
 * 2n flops of the matmul on it, so the fallback costs little at prompt batch sizes.
 */
final class TileDequantizer {
    private TileDequantizer() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(FL * 8));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * Writes columns {@code [col, col + count)} of row {@code row} of W into
     * {@code out[o .. o + count)}. {@code col} and {@code count} are multiples of the block size.
     */
    static void row(WeightMatrix w, int row, int col, int count, float[] out, int o) {
        GgmlType type = w.type();
        int bs = type.blockSize();
        long off = row * w.rowBytes() + (long) (col / bs) * type.bytesPerBlock();
        MemorySegment s = w.data();
        int blocks = count / bs;
        if (FL <= 16 && 16 % FL == 0) {
            switch (type) {
                case F32 -> {
                    f32(s, off, count, out, o);
                    return;
                }
                case Q8_0 -> {
                    q8_0(s, off, blocks, out, o);
                    return;
                }
                case Q4_0 -> {
                    q4_0(s, off, blocks, out, o);
                    return;
                }
                case Q4_K -> {
                    q4k(s, off, blocks, out, o);
                    return;
                }
                default -> {}
            }
        }
        rowScalar(w, row, col, count, out, o);
    }

    /** The scalar twin: block by block through {@link Blocks#dequantize}. */
    static void rowScalar(WeightMatrix w, int row, int col, int count, float[] out, int o) {
        GgmlType type = w.type();
        int bs = type.blockSize();
        int bb = type.bytesPerBlock();
        long off = row * w.rowBytes() + (long) (col / bs) * bb;
        for (int j = 0; j < count; j += bs, off += bb) {
            Blocks.dequantize(type, w.data(), off, out, o + j);
        }
    }

    private static FloatVector widen(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    private static void f32(MemorySegment s, long off, int count, float[] out, int o) {
        int j = 0;
        for (int up = F.loopBound(count); j < up; j += FL) {
            FloatVector.fromMemorySegment(F, s, off + 4L * j, LE).intoArray(out, o + j);
        }
        for (; j < count; j++) {
            out[o + j] = s.get(Blocks.F32, off + 4L * j);
        }
    }

    private static void q8_0(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 34, o += 32) {
            float d = Blocks.f16(s, off);
            for (int j = 0; j < 32; j += FL) {
                widen(ByteVector.fromMemorySegment(B, s, off + 2 + j, LE)).mul(d).intoArray(out, o + j);
            }
        }
    }

    private static void q4_0(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 18, o += 32) {
            float d = Blocks.f16(s, off);
            for (int j = 0; j < 16; j += FL) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 2 + j, LE);
                widen(q.and((byte) 0xF).sub((byte) 8)).mul(d).intoArray(out, o + j);
                widen(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoArray(out, o + j + 16);
            }
        }
    }

    private static void q4k(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 144, o += 256) {
            float d = Blocks.f16(s, off);
            float dmin = Blocks.f16(s, off + 2);
            long qs = off + 16;
            for (int c = 0; c < 4; c++) {
                float d1 = d * Blocks.scaleK4(s, off + 4, 2 * c);
                float m1 = dmin * Blocks.minK4(s, off + 4, 2 * c);
                float d2 = d * Blocks.scaleK4(s, off + 4, 2 * c + 1);
                float m2 = dmin * Blocks.minK4(s, off + 4, 2 * c + 1);
                int oc = o + 64 * c;
                for (int l = 0; l < 32; l += FL) {
                    ByteVector q = ByteVector.fromMemorySegment(B, s, qs + 32 * c + l, LE);
                    widen(q.and((byte) 0xF)).mul(d1).sub(m1).intoArray(out, oc + l);
                    widen(q.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(out, oc + 32 + l);
                }
            }
        }
    }
}
