package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dequantizes a column range of one weight row into floats for the tiled matmul. F32, F16,
 * BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K have Vector API versions (packed bits
 * assembled in byte or int lanes, widened to float lanes and scaled with the same float
 * operations in the same order as {@link Blocks}, so the results are bit-identical); the other
 * types (Q2_K, Q3_K, IQ4_NL, IQ4_XS) go block by block through {@link Blocks#dequantize}, which
 * is also the scalar twin of the vector versions. Dequantization runs once per weight element and call, against
 * 2n flops of the matmul on it, so the fallback costs little at prompt batch sizes.
 */
final class TileDequantizer {
    private TileDequantizer() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(FL * 8));
    /** Shorts that widen to one float vector. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(FL * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane numbers 0, 1, 2, ...: per-lane shift counts for the fifth bits of Q5_0 / Q5_1. */
    private static final IntVector LANES = IntVector.zero(I).addIndex(1);

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
        if (!(FL <= 16 && 16 % FL == 0)) {
            rowScalar(w, row, col, count, out, o); // lane counts the vector paths do not divide into
            return;
        }
        switch (type) {
            case F32 -> f32(s, off, count, out, o);
            case F16 -> f16(s, off, count, out, o);
            case BF16 -> bf16(s, off, count, out, o);
            case Q8_0 -> q8_0(s, off, blocks, out, o);
            case Q4_0 -> q4_0(s, off, blocks, out, o);
            case Q4_1 -> q4_1(s, off, blocks, out, o);
            case Q5_0 -> q5(s, off, blocks, out, o, false);
            case Q5_1 -> q5(s, off, blocks, out, o, true);
            case Q4_K -> q4k(s, off, blocks, out, o);
            case Q5_K -> q5k(s, off, blocks, out, o);
            case Q6_K -> q6k(s, off, blocks, out, o);
            default -> rowScalar(w, row, col, count, out, o);
        }
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

    private static IntVector shortsToInts(MemorySegment s, long off) {
        return (IntVector) ShortVector.fromMemorySegment(S, s, off, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    private static void f16(MemorySegment s, long off, int count, float[] out, int o) {
        int j = 0;
        for (int up = F.loopBound(count); j < up; j += FL) {
            SimdMatrixKernels.halfToFloat(shortsToInts(s, off + 2L * j)).intoArray(out, o + j);
        }
        for (; j < count; j++) {
            out[o + j] = Blocks.f16(s, off + 2L * j);
        }
    }

    private static void bf16(MemorySegment s, long off, int count, float[] out, int o) {
        int j = 0;
        for (int up = F.loopBound(count); j < up; j += FL) {
            shortsToInts(s, off + 2L * j).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, o + j);
        }
        for (; j < count; j++) {
            out[o + j] = Halves.bf16ToFloat(s.get(Blocks.U16, off + 2L * j));
        }
    }

    private static void q4_1(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 20, o += 32) {
            float d = Blocks.f16(s, off);
            float m = Blocks.f16(s, off + 2);
            for (int j = 0; j < 16; j += FL) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 4 + j, LE);
                widen(q.and((byte) 0xF)).mul(d).add(m).intoArray(out, o + j);
                widen(q.lanewise(VectorOperators.LSHR, 4)).mul(d).add(m).intoArray(out, o + j + 16);
            }
        }
    }

    /** Q5_0 ({@code (q - 16) * d}) and Q5_1 ({@code q * d + m}): the fifth bit of value j is bit j of qh. */
    private static void q5(MemorySegment s, long off, int blocks, float[] out, int o, boolean withMin) {
        int head = withMin ? 4 : 2;
        int bytes = withMin ? 24 : 22;
        for (int b = 0; b < blocks; b++, off += bytes, o += 32) {
            float d = Blocks.f16(s, off);
            float m = withMin ? Blocks.f16(s, off + 2) : 0f;
            int bias = withMin ? 0 : 16;
            IntVector qh = IntVector.broadcast(I, s.get(Blocks.U32, off + head));
            for (int j = 0; j < 16; j += FL) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, s, off + head + 4 + j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector lo = q.and(0xF).or(qh.lanewise(VectorOperators.LSHR, LANES.add(j)).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).and(0xF)
                        .or(qh.lanewise(VectorOperators.LSHR, LANES.add(j + 16)).and(1).lanewise(VectorOperators.LSHL, 4));
                FloatVector fl = (FloatVector) lo.sub(bias).convert(VectorOperators.I2F, 0);
                FloatVector fh = (FloatVector) hi.sub(bias).convert(VectorOperators.I2F, 0);
                if (withMin) {
                    fl.mul(d).add(m).intoArray(out, o + j);
                    fh.mul(d).add(m).intoArray(out, o + j + 16);
                } else {
                    fl.mul(d).intoArray(out, o + j);
                    fh.mul(d).intoArray(out, o + j + 16);
                }
            }
        }
    }

    private static void q5k(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 176, o += 256) {
            float d = Blocks.f16(s, off);
            float dmin = Blocks.f16(s, off + 2);
            long qh = off + 16;
            long qs = off + 48;
            for (int c = 0; c < 4; c++) {
                int s1 = 2 * c;
                int s2 = 2 * c + 1;
                float d1 = d * Blocks.scaleK4(s, off + 4, s1);
                float m1 = dmin * Blocks.minK4(s, off + 4, s1);
                float d2 = d * Blocks.scaleK4(s, off + 4, s2);
                float m2 = dmin * Blocks.minK4(s, off + 4, s2);
                int oc = o + 64 * c;
                for (int l = 0; l < 32; l += FL) {
                    ByteVector q = ByteVector.fromMemorySegment(B, s, qs + 32 * c + l, LE);
                    ByteVector h = ByteVector.fromMemorySegment(B, s, qh + l, LE);
                    ByteVector lo = q.and((byte) 0xF).add(h.lanewise(VectorOperators.LSHR, s1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4)
                            .add(h.lanewise(VectorOperators.LSHR, s2).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    widen(lo).mul(d1).sub(m1).intoArray(out, oc + l);
                    widen(hi).mul(d2).sub(m2).intoArray(out, oc + 32 + l);
                }
            }
        }
    }

    /** Value i = 128h + 32k + l: 4 low bits from ql, 2 high bits from qh, scale per 16 values. */
    private static void q6k(MemorySegment s, long off, int blocks, float[] out, int o) {
        for (int b = 0; b < blocks; b++, off += 210, o += 256) {
            float d = Blocks.f16(s, off + 208);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64 * h + 32 * (k & 1);
                    long qh = off + 128 + 32 * h;
                    int shiftLow = 4 * (k >> 1);
                    int shiftHigh = 2 * k;
                    for (int l = 0; l < 32; l += FL) {
                        int i = 128 * h + 32 * k + l;
                        ByteVector low = ByteVector.fromMemorySegment(B, s, ql + l, LE)
                                .lanewise(VectorOperators.LSHR, shiftLow).and((byte) 0xF);
                        ByteVector high = ByteVector.fromMemorySegment(B, s, qh + l, LE)
                                .lanewise(VectorOperators.LSHR, shiftHigh).and((byte) 3);
                        ByteVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                        float scale = d * Blocks.i8(s, off + 192 + i / 16);
                        widen(q).mul(scale).intoArray(out, o + i);
                    }
                }
            }
        }
    }
}
