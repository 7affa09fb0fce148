package dev.vireo.kernels;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * added before widening (2 * 128 * 127 = 32512); {@link #pairSum3} adds four, only for weights
 * of at most 5 bits (4 * 31 * 127 = 15748), so every type except Q8_0 uses it.
 *
 * <p>One row per call: a Q4_0 kernel doing two rows per pass (sharing the activation loads and
 * scale) was 9 % faster on rows in cache but 12 % slower streaming rows from memory, in thread
 * CPU time, alternating runs. The loops compile to one block per iteration (C2 does not unroll
 * them) at about 4.5 instructions per cycle, so the Q4_0/Q8_0 kernels are bound by instruction
 * throughput: about 19 vector and scalar float operations per 32 weights for Q4_0.
 */
final class Int8DotKernels {
    private Int8DotKernels() {}

    static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
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

    /**
     * The same for products known to add up to a 16-bit value in pairs (|lo + hi| <= 32767): on
     * the int view {@code p = lo + hi * 2^16}, {@code p + (p << 16)} has {@code lo + hi} in its
     * upper half, which an arithmetic shift brings down: 3 operations instead of 4.
     */
    static FloatVector pairSum3(ShortVector p) {
        IntVector pi = p.reinterpretAsInts();
        return (FloatVector) pi.add(pi.lanewise(LSHL, 16)).lanewise(ASHR, 16).convert(I2F, 0);
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

    /**
     * Q4_0: nibbles minus 8 times the activations. (Folding the "minus 8" into precomputed block
     * sums of x instead, {@code w . x - 8 sum(x)}, measured 3-4 % slower: the scalar multiply-add
     * per block costs more than the two vector subtractions.)
     */
    static float q4_0(MemorySegment s, long off, Int8Activations a, int base, int n) {
        short[] q = a.q;
        float[] d = a.d;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 18) {
            ShortVector w = u8(s, off + 2);
            ShortVector p = w.and((short) 0xF).sub((short) 8).mul(xq(q, base + c))
                    .add(w.lanewise(LSHR, 4).sub((short) 8).mul(xq(q, base + c + 16)));
            acc = pairSum3(p).fma(bc(Blocks.f16(s, off) * d[(base + c) >> 5]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static float q4_1(MemorySegment s, long off, Int8Activations a, int base, int n) {
        short[] q = a.q;
        float[] d = a.d;
        float[] xs = a.sum1; // ggml's Q8_1 s field
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        for (int c = 0; c < n; c += 32, off += 20) {
            ShortVector w = u8(s, off + 4);
            ShortVector p = w.and((short) 0xF).mul(xq(q, base + c)).add(w.lanewise(LSHR, 4).mul(xq(q, base + c + 16)));
            int b = (base + c) >> 5;
            acc = pairSum3(p).fma(bc(Blocks.f16(s, off) * d[b]), acc);
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
        float[] xs = a.sum1; // ggml's Q8_1 s field
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
            acc = pairSum3(p).fma(bc(Blocks.f16(s, off) * d[b]), acc);
            if (withMin) {
                mins += Blocks.f16(s, off + 2) * xs[b];
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) + mins;
    }


    /** Lane i of 8 selects byte i % 4 of its int: shift counts 0, 8, 16, 24, 0, 8, 16, 24. */
    private static final IntVector BYTE_SHIFTS = IntVector.fromArray(IntVector.SPECIES_256,
            new int[] {0, 8, 16, 24, 0, 8, 16, 24}, 0);
    /** Lanes 4-7: the scales and mins of sub-blocks 4-7. */
    private static final VectorMask<Integer> HIGH4 = VectorMask.fromLong(IntVector.SPECIES_256, 0xF0);

    /**
     * {@link #kScalesVector} behind a method handle read from an array: C2 never inlines such a
     * call, so the scale pass and the dot pass of a K-quant are compiled apart, each within C2's
     * inlining node budget. (In one unit they exceeded it; Vector API calls then lose their
     * intrinsics and every operation allocates.)
     */
    private static final MethodHandle[] K_SCALES = new MethodHandle[1];

    static {
        try {
            K_SCALES[0] = MethodHandles.lookup().findStatic(Int8DotKernels.class, "kScalesVector",
                    MethodType.methodType(float.class, MemorySegment.class, long.class, int.class,
                            Int8Activations.class, int.class, int.class, float[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static float kScales(MemorySegment s, long off, int stride, Int8Activations a, int base, int n, float[] sc) {
        try {
            return (float) K_SCALES[0].invokeExact(s, off, stride, a, base, n, sc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Q4_K/Q5_K, first pass over a row's super-blocks: the 8 scales of each, times d and the
     * activation scales, go to {@code sc[8 * k ..]}; the min terms {@code dmin * m * sum(x)} are
     * summed and returned. The 6-bit scales and mins are unpacked with whole-int masks (sc 0-3
     * and m 0-3 are the low 6 bits of bytes 4-7 and 8-11; sc/m 4-7 join a nibble of bytes 12-15
     * with the top 2 bits of bytes 4-7 / 8-11) and converted 8 at a time in int lanes.
     */
    static float kScalesVector(MemorySegment s, long off, int stride, Int8Activations a, int base, int n, float[] sc) {
        float[] d = a.dk;
        float[] xs = a.sumk;
        FloatVector mins = FloatVector.zero(F);
        for (int c0 = 0, k = 0; c0 < n; c0 += 256, off += stride, k += 8) {
            long head = s.get(U64, off);
            long mid = s.get(U64, off + 8);
            int u0 = (int) (head >>> 32);
            int u1 = (int) mid;
            int u2 = (int) (mid >>> 32);
            int sLo = u0 & 0x3F3F3F3F;
            int sHi = (u2 & 0x0F0F0F0F) | (((u0 >>> 6) & 0x03030303) << 4);
            int mLo = u1 & 0x3F3F3F3F;
            int mHi = ((u2 >>> 4) & 0x0F0F0F0F) | (((u1 >>> 6) & 0x03030303) << 4);
            int b = (base + c0) >> 5;
            IntVector scales = IntVector.broadcast(IntVector.SPECIES_256, sLo).blend(sHi, HIGH4)
                    .lanewise(LSHR, BYTE_SHIFTS).and(0xFF);
            IntVector ms = IntVector.broadcast(IntVector.SPECIES_256, mLo).blend(mHi, HIGH4)
                    .lanewise(LSHR, BYTE_SHIFTS).and(0xFF);
            ((FloatVector) scales.convert(I2F, 0)).mul(Float.float16ToFloat((short) head))
                    .mul(FloatVector.fromArray(F, d, b)).intoArray(sc, k);
            mins = ((FloatVector) ms.convert(I2F, 0)).mul(Float.float16ToFloat((short) (head >>> 16)))
                    .fma(FloatVector.fromArray(F, xs, b), mins);
        }
        return mins.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins. Scales first ({@link #kScales}, its
     * own compiled unit), then one flat pass over 64-weight chunks: 32 bytes whose low nibbles
     * are one sub-block and high nibbles the next.
     */
    static float q4K(MemorySegment s, long off, Int8Activations a, int base, int n, float[] sc) {
        float mins = kScales(s, off, 144, a, base, n, sc);
        short[] q = a.q;
        FloatVector acc = FloatVector.zero(F);
        int chunks = n >> 6;
        for (int k = 0; k < chunks; k++) {
            long qs = off + (long) (k >> 2) * 144 + 16 + 32 * (k & 3);
            int xb = base + 64 * k;
            ShortVector v0 = u8(s, qs);
            ShortVector v1 = u8(s, qs + 16);
            ShortVector pLo = v0.and((short) 0xF).mul(xq(q, xb)).add(v1.and((short) 0xF).mul(xq(q, xb + 16)));
            ShortVector pHi = v0.lanewise(LSHR, 4).mul(xq(q, xb + 32)).add(v1.lanewise(LSHR, 4).mul(xq(q, xb + 48)));
            acc = pairSum3(pLo).fma(bc(sc[2 * k]), acc);
            acc = pairSum3(pHi).fma(bc(sc[2 * k + 1]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /**
     * Q5_K: Q4_K plus a fifth bit per weight (bit s of qh byte l for sub-block s). Two passes,
     * even then odd sub-blocks (the second reads the row from cache): one pass doing both was
     * over C2's inlining node budget, which costs the Vector API its intrinsics (allocation per
     * block, 10x slower).
     */
    static float q5K(MemorySegment s, long off, Int8Activations a, int base, int n, float[] sc) {
        float sum = -kScales(s, off, 176, a, base, n, sc);
        for (int odd = 0; odd <= 1; odd++) { // one call site: inlined at most once
            sum += q5KHalf(s, off, a.q, base, n, sc, odd);
        }
        return sum;
    }

    /** The even ({@code odd} 0, low nibbles) or odd (high nibbles) sub-blocks of a row. */
    private static float q5KHalf(MemorySegment s, long off, short[] q, int base, int n, float[] sc, int odd) {
        FloatVector acc = FloatVector.zero(F);
        int chunks = n >> 6;
        int nib = 4 * odd;
        for (int k = 0; k < chunks; k++) {
            int sb = 2 * (k & 3) + odd;
            long sup = off + (long) (k >> 2) * 176;
            long qs = sup + 48 + 32 * (k & 3);
            int xb = base + 64 * k + 32 * odd;
            // qh byte l holds the fifth bit of weight l of sub-block sb at bit sb: move it to bit 4
            ShortVector w0 = u8(s, qs).lanewise(LSHR, nib).and((short) 0xF)
                    .or(u8(s, sup + 16).lanewise(LSHL, 4).lanewise(LSHR, sb).and((short) 0x10));
            ShortVector w1 = u8(s, qs + 16).lanewise(LSHR, nib).and((short) 0xF)
                    .or(u8(s, sup + 32).lanewise(LSHL, 4).lanewise(LSHR, sb).and((short) 0x10));
            ShortVector p = w0.mul(xq(q, xb)).add(w1.mul(xq(q, xb + 16)));
            acc = pairSum3(p).fma(bc(sc[2 * k + odd]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q6_K: 16 signed 8-bit scales per super-block, one per 16 weights. Scales first (times d and
     * the activation scales, into {@code sc}, via a method handle for the reason given at
     * {@link #K_SCALES}), then steps of 32 weights. Weight l of the four
     * 32-weight runs k = 0..3 of a 128-weight half takes the low (k < 2) or high nibble of byte l
     * of low-bit run k % 2, and bits 2k, 2k+1 of high-bit byte l; so one 16-byte load of a
     * low-bit run and one of the high bits feed runs k and k + 2 (the one-group-at-a-time loop
     * loaded two per 16 weights). A step covering four runs was over C2's inlining budget (the
     * Vector API then allocates, 10x slower). Products of values in -32..31 with |q| <= 127
     * pair-sum within 16 bits, so {@link #pairSum3} applies.
     */
    static float q6K(MemorySegment s, long off, Int8Activations a, int base, int n, float[] sc) {
        try {
            Q6_SCALES[0].invokeExact(s, off, a, base, n, sc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        short[] q = a.q;
        FloatVector acc = FloatVector.zero(F);
        // Constant-trip inner loops (C2 unrolls them fully, so every offset below is a constant
        // plus the super-block's): the flat loop over 32-weight steps recomputed all of them from
        // the step index and ran at 80 % of this speed (JMH, 2048x8192, 1 thread: 2.8 vs 3.5 GB/s).
        for (int x0 = base, g0 = 0; x0 < base + n; x0 += 256, g0 += 16, off += 210) {
            for (int h = 0; h < 2; h++) { // 128-weight half
                for (int k = 0; k < 2; k++) { // low-bit run k feeds runs k and k + 2
                    for (int l = 0; l < 32; l += 16) { // first weight of this step in each run
                        ShortVector ql = u8(s, off + 64 * h + 32 * k + l);
                        ShortVector qh = u8(s, off + 128 + 32 * h + l).lanewise(LSHR, 2 * k);
                        int x = x0 + 128 * h + 32 * k + l;
                        int g = g0 + 8 * h + 2 * k + (l >> 4);
                        ShortVector w0 = ql.and((short) 0xF).or(qh.lanewise(LSHL, 4).and((short) 0x30)).sub((short) 32);
                        ShortVector w2 = ql.lanewise(LSHR, 4).or(qh.and((short) 0x30)).sub((short) 32);
                        acc = pairSum3(w0.mul(xq(q, x))).fma(bc(sc[g]), acc);
                        acc = pairSum3(w2.mul(xq(q, x + 64))).fma(bc(sc[g + 4]), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static final MethodHandle[] Q6_SCALES = new MethodHandle[1];

    static {
        try {
            Q6_SCALES[0] = MethodHandles.lookup().findStatic(Int8DotKernels.class, "q6KScales",
                    MethodType.methodType(void.class, MemorySegment.class, long.class, Int8Activations.class,
                            int.class, int.class, float[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    /** {@code sc[g] = d * scales[g] * d_x} for every 16-weight group g of a Q6_K row, 8 at a time. */
    static void q6KScales(MemorySegment s, long off, Int8Activations a, int base, int n, float[] sc) {
        float[] d16 = a.d16;
        for (int c0 = 0, g = 0; c0 < n; c0 += 256, off += 210, g += 16) {
            float dd = Blocks.f16(s, off + 208);
            int x = (base + c0) >> 4;
            ((FloatVector) ByteVector.fromMemorySegment(B8, s, off + 192, LE).convertShape(B2F, F, 0))
                    .mul(dd).mul(FloatVector.fromArray(F, d16, x)).intoArray(sc, g);
            ((FloatVector) ByteVector.fromMemorySegment(B8, s, off + 200, LE).convertShape(B2F, F, 0))
                    .mul(dd).mul(FloatVector.fromArray(F, d16, x + 8)).intoArray(sc, g + 8);
        }
    }
}
