package dev.vireo.kernels;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of quantized weight rows with {@link Int8Activations}: weights and activations
 * meet as 16-bit integers (16 lanes of a 256-bit register), products of a 16-lane group are
 * added pairwise into 8 int lanes and only then converted to float and scaled once per 32 (or
 * 16) weights. Compared with widening every weight to a float this halves the conversions and
 * float operations, which is what limits the float kernels (they are compute-bound, not
 * memory-bound). This mirrors llama.cpp, which also multiplies quantized weights with
 * Q8-quantized activations; the error versus float activations is at most {@code d_x / 2} per
 * activation ({@code amax / 254} of its block).
 *
 * <p>16-bit lanes cannot overflow: |weight| <= 128 and |q| <= 127, and at most two products are
 * added before widening (2 * 128 * 127 = 32512).
 */
final class Int8DotKernels {
    private Int8DotKernels() {}

    static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane j holds bit j: selects the per-weight high bits of Q5_0/Q5_1. */
    private static final ShortVector BIT = ShortVector.fromArray(S, new short[] {1, 2, 4, 8, 16, 32, 64, 128, 256,
        512, 1024, 2048, 4096, 8192, 16384, (short) 32768}, 0);

    /** Whether the hardware runs 256-bit vectors natively (else these kernels would be emulated). */
    static boolean usable() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** 16 unsigned bytes widened to 16-bit lanes. */
    static ShortVector u8(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, LE).convertShape(ZERO_EXTEND_B2S, S, 0);
    }

    /** 16 signed bytes widened to 16-bit lanes. */
    static ShortVector i8(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, LE).convertShape(B2S, S, 0);
    }

    static ShortVector xq(short[] q, int i) {
        return ShortVector.fromArray(S, q, i);
    }

    /** Adds neighbouring 16-bit lanes into 8 int lanes and converts them to float. */
    static FloatVector pairSum(ShortVector p) {
        IntVector pi = p.reinterpretAsInts();
        return (FloatVector) pi.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pi.lanewise(ASHR, 16)).convert(I2F, 0);
    }

    static FloatVector bc(float v) {
        return FloatVector.broadcast(F, v);
    }

    static float q8_0(MemorySegment s, long off, Int8Activations a, int base, int n) {
        short[] q = a.q;
        float[] d = a.d;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 34) {
            ShortVector p = i8(s, off + 2).mul(xq(q, base + c)).add(i8(s, off + 18).mul(xq(q, base + c + 16)));
            acc = pairSum(p).fma(bc(Blocks.f16(s, off) * d[(base + c) >> 5]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static float q4_0(MemorySegment s, long off, Int8Activations a, int base, int n) {
        short[] q = a.q;
        float[] d = a.d;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 18) {
            ShortVector w = u8(s, off + 2);
            ShortVector lo = w.and((short) 0xF).sub((short) 8);
            ShortVector hi = w.lanewise(LSHR, 4).sub((short) 8);
            ShortVector p = lo.mul(xq(q, base + c)).add(hi.mul(xq(q, base + c + 16)));
            acc = pairSum(p).fma(bc(Blocks.f16(s, off) * d[(base + c) >> 5]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static float q4_1(MemorySegment s, long off, Int8Activations a, int base, int n) {
        short[] q = a.q;
        float[] d = a.d;
        float[] xs = a.sum;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        for (int c = 0; c < n; c += 32, off += 20) {
            ShortVector w = u8(s, off + 4);
            ShortVector p = w.and((short) 0xF).mul(xq(q, base + c)).add(w.lanewise(LSHR, 4).mul(xq(q, base + c + 16)));
            int b = (base + c) >> 5;
            acc = pairSum(p).fma(bc(Blocks.f16(s, off) * d[b]), acc);
            mins += Blocks.f16(s, off + 2) * xs[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
    }

    /** Q5_0 ({@code withMin} false) and Q5_1 (true). */
    static float q5(MemorySegment s, long off, Int8Activations a, int base, int n, boolean withMin) {
        int head = withMin ? 4 : 2;
        int stride = withMin ? 24 : 22;
        short bias = (short) (withMin ? 0 : 16);
        short[] q = a.q;
        float[] d = a.d;
        float[] xs = a.sum;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        for (int c = 0; c < n; c += 32, off += stride) {
            int qh = s.get(Blocks.U32, off + head);
            VectorMask<Short> h0 = ShortVector.broadcast(S, (short) qh).and(BIT).compare(NE, 0);
            VectorMask<Short> h1 = ShortVector.broadcast(S, (short) (qh >>> 16)).and(BIT).compare(NE, 0);
            ShortVector w = u8(s, off + head + 4);
            ShortVector lo = w.and((short) 0xF).lanewise(OR, (short) 16, h0).sub(bias);
            ShortVector hi = w.lanewise(LSHR, 4).lanewise(OR, (short) 16, h1).sub(bias);
            ShortVector p = lo.mul(xq(q, base + c)).add(hi.mul(xq(q, base + c + 16)));
            int b = (base + c) >> 5;
            acc = pairSum(p).fma(bc(Blocks.f16(s, off) * d[b]), acc);
            if (withMin) {
                mins += Blocks.f16(s, off + 2) * xs[b];
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
    }

    /*
     * The K-quant kernels work one 256-weight super-block per call of a helper that returns a
     * float. A whole row loop in one method grows past C2's inlining node budget
     * (NodeCountInliningCutoff), and a Vector API call that is not inlined boxes its vectors:
     * the row loop then allocates and runs ~10x slower. The helpers are bigger than C2's hot-call
     * inlining limit, so they stay separate compiled units; their float result needs no box.
     */

    /** Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins. */
    static float q4K(MemorySegment s, long off, Int8Activations a, int base, int n, float[] scratch) {
        float sum = 0f;
        for (int c0 = 0; c0 < n; c0 += 256, off += 144) {
            float mins = kScales(s, off, a, base + c0, scratch);
            sum += q4KBlock(s, off, a.q, base + c0, scratch) - mins;
        }
        return sum;
    }

    /**
     * Decodes the 8 sub-block scales of a Q4_K/Q5_K super-block, times the activation scales, into
     * {@code scratch[0..7]} and returns the super-block's min term. Done in plain scalar code
     * before the vector code starts: calls in the middle of vector code made C2 box vectors.
     */
    private static float kScales(MemorySegment s, long off, Int8Activations a, int x0, float[] scratch) {
        float dd = Blocks.f16(s, off);
        float dmin = Blocks.f16(s, off + 2);
        float mins = 0f;
        int b = x0 >> 5;
        for (int sb = 0; sb < 8; sb++) {
            scratch[sb] = dd * Blocks.scaleK4(s, off + 4, sb) * a.d[b + sb];
            mins += dmin * Blocks.minK4(s, off + 4, sb) * a.sum[b + sb];
        }
        return mins;
    }

    private static float q4KBlock(MemorySegment s, long off, short[] q, int x0, float[] sc) {
        float sum = 0f;
        for (int c = 0; c < 4; c++) {
            sum += q4KChunk(s, off + 16 + 32 * c, q, x0 + 64 * c, sc[2 * c], sc[2 * c + 1]);
        }
        return sum;
    }

    /** 64 weights: the low nibbles of 32 bytes (sub-block 2c) and their high nibbles (2c + 1). */
    private static float q4KChunk(MemorySegment s, long qs, short[] q, int xb, float sLo, float sHi) {
        ShortVector v0 = u8(s, qs);
        ShortVector v1 = u8(s, qs + 16);
        ShortVector pLo = v0.and((short) 0xF).mul(xq(q, xb)).add(v1.and((short) 0xF).mul(xq(q, xb + 16)));
        ShortVector pHi = v0.lanewise(LSHR, 4).mul(xq(q, xb + 32)).add(v1.lanewise(LSHR, 4).mul(xq(q, xb + 48)));
        return pairSum(pHi).fma(bc(sHi), pairSum(pLo).mul(sLo)).reduceLanes(VectorOperators.ADD);
    }

    /** Q5_K: Q4_K plus a fifth bit per weight. */
    static float q5K(MemorySegment s, long off, Int8Activations a, int base, int n, float[] scratch) {
        float sum = 0f;
        for (int c0 = 0; c0 < n; c0 += 256, off += 176) {
            float mins = kScales(s, off, a, base + c0, scratch);
            sum += q5KBlock(s, off, a.q, base + c0, scratch) - mins;
        }
        return sum;
    }

    private static float q5KBlock(MemorySegment s, long off, short[] q, int x0, float[] sc) {
        float sum = 0f;
        for (int c = 0; c < 4; c++) {
            sum += q5KChunk(s, off, c, q, x0 + 64 * c, sc[2 * c], sc[2 * c + 1]);
        }
        return sum;
    }

    /** Like {@link #q4KChunk} plus the fifth bits: bit s of qh byte l for sub-block s. */
    private static float q5KChunk(MemorySegment s, long off, int c, short[] q, int xb, float sLo, float sHi) {
        // bit 2c of qh moved to bit 4: (qh << 4) >> 2c; bit 2c + 1: one more shift
        ShortVector h0 = u8(s, off + 16).lanewise(LSHL, 4).lanewise(LSHR, 2 * c);
        ShortVector h1 = u8(s, off + 32).lanewise(LSHL, 4).lanewise(LSHR, 2 * c);
        ShortVector v0 = u8(s, off + 48 + 32 * c);
        ShortVector v1 = u8(s, off + 64 + 32 * c);
        ShortVector lo0 = v0.and((short) 0xF).or(h0.and((short) 0x10));
        ShortVector lo1 = v1.and((short) 0xF).or(h1.and((short) 0x10));
        ShortVector hi0 = v0.lanewise(LSHR, 4).or(h0.lanewise(LSHR, 1).and((short) 0x10));
        ShortVector hi1 = v1.lanewise(LSHR, 4).or(h1.lanewise(LSHR, 1).and((short) 0x10));
        ShortVector pLo = lo0.mul(xq(q, xb)).add(lo1.mul(xq(q, xb + 16)));
        ShortVector pHi = hi0.mul(xq(q, xb + 32)).add(hi1.mul(xq(q, xb + 48)));
        return pairSum(pHi).fma(bc(sHi), pairSum(pLo).mul(sLo)).reduceLanes(VectorOperators.ADD);
    }

    static float q6K(MemorySegment s, long off, Int8Activations a, int base, int n) {
        float sum = 0f;
        for (int c0 = 0; c0 < n; c0 += 256, off += 210) {
            sum += q6KBlock(s, off, a.q, a.d, base + c0);
        }
        return sum;
    }

    private static float q6KBlock(MemorySegment s, long off, short[] q, float[] d, int x0) {
        float dd = Blocks.f16(s, off + 208);
        FloatVector acc = FloatVector.zero(F);
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 4; k++) {
                long ql = off + 64 * h + 32 * (k & 1);
                int shift = 4 * (k >> 1);
                int xb = x0 + 128 * h + 32 * k;
                float dx = dd * d[xb >> 5];
                for (int l = 0; l < 32; l += 16) {
                    float scale = dx * Blocks.i8(s, off + 192 + 8 * h + 2 * k + (l >> 4));
                    ShortVector lo = u8(s, ql + l).lanewise(LSHR, shift).and((short) 0xF);
                    ShortVector hi = u8(s, off + 128 + 32 * h + l).lanewise(LSHR, 2 * k).and((short) 3).lanewise(LSHL, 4);
                    ShortVector p = lo.or(hi).sub((short) 32).mul(xq(q, xb + l));
                    acc = pairSum(p).fma(bc(scale), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
