package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels, two kinds:
 *
 * <ul>
 *   <li>Quantized weights (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K) in a product: the
 *       activations are quantized to 8 bits once per product ({@link Int8Activations}) and meet
 *       the weights in 16-bit integer lanes ({@link Int8DotKernels}), as llama.cpp does. The
 *       float-widening kernels below were compute-bound (every weight converted to float and
 *       multiplied in float: 4-6 GB/s on this machine); the integer path halves that work.
 *   <li>Float-activation fused dequantize-and-dot ({@link #floatDot}): each block is widened from
 *       its packed bytes straight into float lanes and multiplied with x, with no dequantized
 *       copy of the row; per-block scales are applied once per block to a lane-wise partial sum
 *       and minimums ({@code m * sum(x)}) go to a separate accumulator. Used for F32/F16/BF16,
 *       for LoRA factors (whose x is the un-quantized t or x), and for every type when the
 *       8-bit path is off. Types without a dedicated kernel (Q2_K, Q3_K, IQ4_NL, IQ4_XS)
 *       dequantize one block into a per-thread scratch and take a vector dot of it.
 * </ul>
 */
final class SimdMatrixKernels extends PooledMatrixKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int FL = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Bytes that widen to one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(FL * 8));
    /** Shorts that widen to one float vector. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(FL * 16));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    SimdMatrixKernels(int threads) {
        this(threads, true);
    }

    /** @param int8 whether quantized weights meet 8-bit activations (false: float activations) */
    SimdMatrixKernels(int threads, boolean int8) {
        super(threads);
        this.useInt8 = int8 && Int8DotKernels.usable();
        if (FL < 4 || 16 % FL != 0) {
            throw new IllegalStateException("unsupported vector length " + FL + " floats");
        }
    }

    @Override
    public String description() {
        return "Vector API, " + F.vectorBitSize() + "-bit" + (useInt8 ? ", int8 activations" : "");
    }

    @Override
    boolean supports(GgmlType type) {
        return Blocks.supports(type);
    }

    /** The activations of the current product as 8-bit integers, when its type uses them. */
    private final Int8Activations int8 = new Int8Activations();
    private final boolean useInt8;

    private final QuantizeTask quantizeTask = new QuantizeTask();

    @Override
    void prepareActivations(WeightMatrix w, float[] x, int xOff, int xStride, int n) {
        if (useInt8 && usesInt8(w.type())) {
            if (n == 1) {
                int8.quantize(x, xOff, xStride, 1, w.cols());
                return;
            }
            // a prompt batch: tokens are independent, spread them over the pool
            int8.reserve(n, w.cols());
            QuantizeTask t = quantizeTask;
            t.x = x;
            t.xOff = xOff;
            t.xStride = xStride;
            try {
                pool.parallelFor(n, 1, t);
            } finally {
                t.x = null;
            }
        }
    }

    /** Quantizes a range of tokens of the current product into {@link #int8}. */
    private final class QuantizeTask implements RangeTask {
        float[] x;
        int xOff;
        int xStride;

        @Override
        public void run(int from, int to, int worker) {
            for (int t = from; t < to; t++) {
                int8.quantizeToken(x, xOff + t * xStride, t);
            }
        }
    }

    /** The types whose matrix products multiply 8-bit activations ({@link Int8DotKernels}). */
    static boolean usesInt8(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    @Override
    float dot(WeightMatrix w, long rowOff, float[] x, int xOff, int token, float[] scratch) {
        MemorySegment s = w.data();
        int n = w.cols();
        int t = w.type().ordinal();
        try {
            if (token >= 0 && useInt8) {
                MethodHandle h = Kernels.INT8[t];
                if (h != null) {
                    return (float) h.invokeExact(s, rowOff, int8, token * n, n, scratch);
                }
            }
            MethodHandle h = Kernels.FLOAT[t];
            if (h != null) {
                return (float) h.invokeExact(s, rowOff, x, xOff, n);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return dotByBlocks(w, rowOff, x, xOff, scratch);
    }

    @Override
    boolean dot4(WeightMatrix w, long rowOff, float[] x, int xOff, float[] out, int outOff) {
        if (w.type() != GgmlType.F32) {
            return false;
        }
        dotF32x4(w.data(), rowOff, w.rowBytes(), x, xOff, w.cols(), out, outOff);
        return true;
    }

    private final RowProduct rows = new RowProduct(this);

    /** Decode (one token): {@link Int8RowKernels} and {@link FloatRowKernels}, a loop per type. */
    @Override
    RowProduct tokenRows(WeightMatrix w, float[] x, int xOff, float[] y, int yOff, LowRankSet lora) {
        GgmlType type = w.type();
        // the quantized types' loops read 8-bit activations: only when this instance makes them
        MethodHandle h = useInt8 || !usesInt8(type) ? Kernels.ROWS[type.ordinal()] : null;
        if (h == null) {
            return null;
        }
        rows.set(h, w, int8, x, xOff, y, yOff, lora);
        return rows;
    }

    @Override
    void loraUp(LowRank term, int from, int to, float[] t, int tOff, float[] y, int yOff, float[] scratch) {
        try {
            Kernels.UP[0].invokeExact(term.factors().upPanels(), term.rank(), from, to, t, tOff, y, yOff, scratch);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The float-activation kernels: exact products of the dequantized weights with x. */
    float floatDot(WeightMatrix w, long rowOff, float[] x, int xOff, float[] scratch) {
        return dot(w, rowOff, x, xOff, -1, scratch);
    }

    /**
     * The row kernels by type, called through method handles read from arrays. Such a call is
     * never inlined by C2, so each kernel is compiled as its own unit with its own inlining
     * budget. Called directly, several kernels were inlined into the one dispatching method
     * (every type a model uses), C2 ran out of its inlining node budget
     * (NodeCountInliningCutoff), Vector API calls lost their intrinsics and the kernels
     * allocated on every block, 10x slower, depending on the order the JIT saw the types in.
     * The indirect call costs a few nanoseconds per row.
     */
    private static final class Kernels {
        static final MethodType INT8_TYPE = MethodType.methodType(float.class, MemorySegment.class, long.class,
                Int8Activations.class, int.class, int.class, float[].class);
        static final MethodType FLOAT_TYPE = MethodType.methodType(float.class, MemorySegment.class, long.class,
                float[].class, int.class, int.class);
        static final MethodHandle[] INT8 = new MethodHandle[GgmlType.values().length];
        static final MethodHandle[] FLOAT = new MethodHandle[GgmlType.values().length];
        /**
         * Decode's row-range kernels ({@link Int8RowKernels}, {@link FloatRowKernels}), null for
         * the types without; one call per chunk of rows, each kernel inlined into its own loop.
         */
        static final MethodHandle[] ROWS = new MethodHandle[GgmlType.values().length];
        /** The LoRA up-projection over B's panels, in an array for the same reason. */
        static final MethodHandle[] UP = new MethodHandle[1];

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                MethodType noScratch = INT8_TYPE.dropParameterTypes(5, 6);
                MethodType q5 = noScratch.appendParameterTypes(boolean.class);
                int8(GgmlType.Q8_0, MethodHandles.dropArguments(l.findStatic(Int8DotKernels.class, "q8_0", noScratch), 5, float[].class));
                int8(GgmlType.Q4_0, MethodHandles.dropArguments(l.findStatic(Int8DotKernels.class, "q4_0", noScratch), 5, float[].class));
                int8(GgmlType.Q4_1, MethodHandles.dropArguments(l.findStatic(Int8DotKernels.class, "q4_1", noScratch), 5, float[].class));
                MethodHandle q5h = l.findStatic(Int8DotKernels.class, "q5", q5);
                int8(GgmlType.Q5_0, MethodHandles.dropArguments(MethodHandles.insertArguments(q5h, 5, false), 5, float[].class));
                int8(GgmlType.Q5_1, MethodHandles.dropArguments(MethodHandles.insertArguments(q5h, 5, true), 5, float[].class));
                int8(GgmlType.Q4_K, l.findStatic(Int8DotKernels.class, "q4K", INT8_TYPE));
                int8(GgmlType.Q5_K, l.findStatic(Int8DotKernels.class, "q5K", INT8_TYPE));
                int8(GgmlType.Q6_K, l.findStatic(Int8DotKernels.class, "q6K", INT8_TYPE));
                Class<?> k = SimdMatrixKernels.class;
                MethodType q5f = FLOAT_TYPE.appendParameterTypes(boolean.class);
                flt(GgmlType.F32, l.findStatic(k, "dotF32", FLOAT_TYPE));
                flt(GgmlType.F16, l.findStatic(k, "dotF16", FLOAT_TYPE));
                flt(GgmlType.BF16, l.findStatic(k, "dotBF16", FLOAT_TYPE));
                flt(GgmlType.Q8_0, l.findStatic(k, "dotQ8_0", FLOAT_TYPE));
                flt(GgmlType.Q4_0, l.findStatic(k, "dotQ4_0", FLOAT_TYPE));
                flt(GgmlType.Q4_1, l.findStatic(k, "dotQ4_1", FLOAT_TYPE));
                flt(GgmlType.Q5_0, MethodHandles.insertArguments(l.findStatic(k, "dotQ5", q5f), 5, false));
                flt(GgmlType.Q5_1, MethodHandles.insertArguments(l.findStatic(k, "dotQ5", q5f), 5, true));
                flt(GgmlType.Q4_K, MethodHandles.insertArguments(l.findStatic(k, "dotK", q5f), 5, false));
                flt(GgmlType.Q5_K, MethodHandles.insertArguments(l.findStatic(k, "dotK", q5f), 5, true));
                flt(GgmlType.Q6_K, l.findStatic(k, "dotQ6K", FLOAT_TYPE));
                MethodType up = MethodType.methodType(void.class, float[].class, int.class, int.class, int.class,
                        float[].class, int.class, float[].class, int.class, float[].class);
                // 512-bit vectors where the hardware has them (emulated they would be slow)
                boolean wide = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
                UP[0] = l.findStatic(LoraUpKernels.class, wide ? "addPanelsWide" : "addPanels", up);
                MethodType rows = MethodType.methodType(void.class, MemorySegment.class, long.class, int.class,
                        Int8Activations.class, float[].class, int.class, float[].class, int.class, int.class, int.class);
                Class<?> r = Int8RowKernels.class;
                ROWS[GgmlType.Q8_0.ordinal()] = l.findStatic(r, "q8_0", rows);
                ROWS[GgmlType.Q4_0.ordinal()] = l.findStatic(r, "q4_0", rows);
                ROWS[GgmlType.Q4_1.ordinal()] = l.findStatic(r, "q4_1", rows);
                ROWS[GgmlType.Q5_0.ordinal()] = l.findStatic(r, "q5_0", rows);
                ROWS[GgmlType.Q5_1.ordinal()] = l.findStatic(r, "q5_1", rows);
                // Not the K-quants: in a loop of its own Q4_K decode of the 1B at 1 thread
                // measured 6 % slower (8.2 against 8.7 tok/s, its scale pass still a call per
                // row), 13 % slower with the scale pass done per 8 rows (7.5), and with the scale
                // pass inlined C2 ran over its inlining budget (0.6).
                ROWS[GgmlType.F32.ordinal()] = l.findStatic(FloatRowKernels.class, "f32", rows);
                ROWS[GgmlType.F16.ordinal()] = l.findStatic(FloatRowKernels.class, "f16", rows);
                ROWS[GgmlType.BF16.ordinal()] = l.findStatic(FloatRowKernels.class, "bf16", rows);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private static void int8(GgmlType t, MethodHandle h) {
            INT8[t.ordinal()] = h.asType(INT8_TYPE);
        }

        private static void flt(GgmlType t, MethodHandle h) {
            FLOAT[t.ordinal()] = h.asType(FLOAT_TYPE);
        }
    }

    static FloatVector widen(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    static float dotF32(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * FL <= n; i += 2 * FL) {
            a0 = FloatVector.fromMemorySegment(F, s, off + 4L * i, LE).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(F, s, off + 4L * (i + FL), LE)
                    .fma(FloatVector.fromArray(F, x, xo + i + FL), a1);
        }
        return dotF32Tail(s, off, x, xo, i, n, a0.add(a1).reduceLanes(VectorOperators.ADD));
    }

    private static float dotF32Tail(MemorySegment s, long off, float[] x, int xo, int from, int n, float sum) {
        for (int i = from; i < n; i++) {
            sum += s.get(Blocks.F32, off + 4L * i) * x[xo + i];
        }
        return sum;
    }

    /**
     * Four F32 rows ({@code rb} bytes apart) times x into {@code out[oo .. oo + 4)}, each summed
     * exactly as {@link #dotF32} sums it, so the results are the same bits. For the rows of a LoRA
     * A, which stream from memory once per token: four streams at once, sharing the loads of x.
     * A small gain, close to the read roof: 13.3-14.1 GB/s against 12.1-14.0 for one row at a time
     * (112 rank-16 A of 2048 columns from memory, 1 thread, a 2-core Xeon VM whose plain read loop
     * reaches 15; a first comparison had given 12-14.6 against 8.3-11.2).
     */
    static void dotF32x4(MemorySegment s, long off, long rb, float[] x, int xo, int n, float[] out, int oo) {
        long o1 = off + rb;
        long o2 = off + 2 * rb;
        long o3 = off + 3 * rb;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        int i = 0;
        for (; i + 2 * FL <= n; i += 2 * FL) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + i + FL);
            long lo = 4L * i;
            long hi = 4L * (i + FL);
            a0 = FloatVector.fromMemorySegment(F, s, off + lo, LE).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, s, off + hi, LE).fma(x1, a1);
            b0 = FloatVector.fromMemorySegment(F, s, o1 + lo, LE).fma(x0, b0);
            b1 = FloatVector.fromMemorySegment(F, s, o1 + hi, LE).fma(x1, b1);
            c0 = FloatVector.fromMemorySegment(F, s, o2 + lo, LE).fma(x0, c0);
            c1 = FloatVector.fromMemorySegment(F, s, o2 + hi, LE).fma(x1, c1);
            d0 = FloatVector.fromMemorySegment(F, s, o3 + lo, LE).fma(x0, d0);
            d1 = FloatVector.fromMemorySegment(F, s, o3 + hi, LE).fma(x1, d1);
        }
        out[oo] = dotF32Tail(s, off, x, xo, i, n, a0.add(a1).reduceLanes(VectorOperators.ADD));
        out[oo + 1] = dotF32Tail(s, o1, x, xo, i, n, b0.add(b1).reduceLanes(VectorOperators.ADD));
        out[oo + 2] = dotF32Tail(s, o2, x, xo, i, n, c0.add(c1).reduceLanes(VectorOperators.ADD));
        out[oo + 3] = dotF32Tail(s, o3, x, xo, i, n, d0.add(d1).reduceLanes(VectorOperators.ADD));
    }

    /**
     * binary16 bits (sign-extended in int lanes) to float, exact for finite values and
     * subnormals. Shifting left by 13 puts the half's exponent and mantissa at the float's
     * exponent/mantissa position and its sign at bit 31 (bits 28-30 get sign copies and are
     * masked off); multiplying by 2^112 then rebases the exponent bias (15 -> 127) and normalizes
     * subnormal halves, keeping the sign. Infinities and NaNs (never in valid weights) come out
     * as large finite values.
     */
    static FloatVector halfToFloat(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }

    /**
     * F16 and BF16 use two accumulators, as F32 does: with one, every FMA waits for the previous
     * one (4-cycle latency) and the loop ran at 2/3 of the speed of the two-chain version (JMH,
     * 2048x8192, 1 thread: F16 7.5 vs 11.2 GB/s, BF16 8.2 vs 12.5).
     */
    static float dotF16(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * FL <= n; i += 2 * FL) {
            a0 = f16Lanes(s, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = f16Lanes(s, off + 2L * (i + FL)).fma(FloatVector.fromArray(F, x, xo + i + FL), a1);
        }
        for (; i + FL <= n; i += FL) {
            a0 = f16Lanes(s, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Blocks.f16(s, off + 2L * i) * x[xo + i];
        }
        return sum;
    }

    private static FloatVector f16Lanes(MemorySegment s, long off) {
        return halfToFloat((IntVector) ShortVector.fromMemorySegment(S, s, off, LE).convertShape(VectorOperators.S2I, I, 0));
    }

    static float dotBF16(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * FL <= n; i += 2 * FL) {
            a0 = bf16Lanes(s, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = bf16Lanes(s, off + 2L * (i + FL)).fma(FloatVector.fromArray(F, x, xo + i + FL), a1);
        }
        for (; i + FL <= n; i += FL) {
            a0 = bf16Lanes(s, off + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Halves.bf16ToFloat(s.get(Blocks.U16, off + 2L * i)) * x[xo + i];
        }
        return sum;
    }

    /** bfloat16 is the upper half of a float: widen and shift the bits into place. */
    private static FloatVector bf16Lanes(MemorySegment s, long off) {
        ShortVector h = ShortVector.fromMemorySegment(S, s, off, LE);
        return ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    static float dotQ8_0(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 34) {
            FloatVector blk = FloatVector.zero(F);
            for (int j = 0; j < 32; j += FL) {
                FloatVector w = widen(ByteVector.fromMemorySegment(B, s, off + 2 + j, LE));
                blk = w.fma(FloatVector.fromArray(F, x, xo + c + j), blk);
            }
            acc = blk.fma(FloatVector.broadcast(F, Blocks.f16(s, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static float dotQ4_0(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 18) {
            FloatVector blk = FloatVector.zero(F);
            for (int j = 0; j < 16; j += FL) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 2 + j, LE);
                FloatVector lo = widen(q.and((byte) 0xF).sub((byte) 8));
                FloatVector hi = widen(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
                blk = lo.fma(FloatVector.fromArray(F, x, xo + c + j), blk);
                blk = hi.fma(FloatVector.fromArray(F, x, xo + c + 16 + j), blk);
            }
            acc = blk.fma(FloatVector.broadcast(F, Blocks.f16(s, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static float dotQ4_1(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        FloatVector accMin = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += 20) {
            FloatVector blk = FloatVector.zero(F);
            FloatVector xs = FloatVector.zero(F);
            for (int j = 0; j < 16; j += FL) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + 4 + j, LE);
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c + j);
                FloatVector x1 = FloatVector.fromArray(F, x, xo + c + 16 + j);
                blk = widen(q.and((byte) 0xF)).fma(x0, blk);
                blk = widen(q.lanewise(VectorOperators.LSHR, 4)).fma(x1, blk);
                xs = xs.add(x0).add(x1);
            }
            acc = blk.fma(FloatVector.broadcast(F, Blocks.f16(s, off)), acc);
            accMin = xs.fma(FloatVector.broadcast(F, Blocks.f16(s, off + 2)), accMin);
        }
        return acc.add(accMin).reduceLanes(VectorOperators.ADD);
    }

    /** Lane index of every int lane, the shift that brings a lane's high bit of QH down. */
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    static float dotQ5(MemorySegment s, long off, float[] x, int xo, int n, boolean withMin) {
        int head = withMin ? 4 : 2;
        int stride = withMin ? 24 : 22;
        int bias = withMin ? 0 : 16;
        FloatVector acc = FloatVector.zero(F);
        FloatVector accMin = FloatVector.zero(F);
        for (int c = 0; c < n; c += 32, off += stride) {
            IntVector qh = IntVector.broadcast(I, s.get(Blocks.U32, off + head));
            FloatVector blk = FloatVector.zero(F);
            FloatVector xs = FloatVector.zero(F);
            for (int j = 0; j < 16; j += FL) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, off + head + 4 + j, LE);
                IntVector lo = (IntVector) q.and((byte) 0xF).convertShape(VectorOperators.B2I, I, 0);
                IntVector hi = (IntVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2I, I, 0);
                IntVector hbLo = qh.lanewise(VectorOperators.LSHR, IOTA.add(j)).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector hbHi = qh.lanewise(VectorOperators.LSHR, IOTA.add(j + 16)).and(1).lanewise(VectorOperators.LSHL, 4);
                FloatVector w0 = (FloatVector) lo.or(hbLo).sub(bias).convert(VectorOperators.I2F, 0);
                FloatVector w1 = (FloatVector) hi.or(hbHi).sub(bias).convert(VectorOperators.I2F, 0);
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c + j);
                FloatVector x1 = FloatVector.fromArray(F, x, xo + c + 16 + j);
                blk = w0.fma(x0, blk);
                blk = w1.fma(x1, blk);
                if (withMin) {
                    xs = xs.add(x0).add(x1);
                }
            }
            acc = blk.fma(FloatVector.broadcast(F, Blocks.f16(s, off)), acc);
            if (withMin) {
                accMin = xs.fma(FloatVector.broadcast(F, Blocks.f16(s, off + 2)), accMin);
            }
        }
        return acc.add(accMin).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Q4_K ({@code fifthBit} false) and Q5_K (true): per 64-weight chunk, 32 bytes whose low
     * nibbles are one sub-block and high nibbles the next; Q5_K ORs in bit 4 of each weight from
     * its 32-byte qh field (bit s of byte l for sub-block s).
     */
    static float dotK(MemorySegment s, long off, float[] x, int xo, int n, boolean fifthBit) {
        int stride = fifthBit ? 176 : 144;
        int quants = fifthBit ? 48 : 16;
        FloatVector acc = FloatVector.zero(F);
        FloatVector accMin = FloatVector.zero(F);
        for (int c0 = 0; c0 < n; c0 += 256, off += stride) {
            float d = Blocks.f16(s, off);
            float dmin = Blocks.f16(s, off + 2);
            for (int c = 0; c < 4; c++) {
                FloatVector sLo = FloatVector.zero(F);
                FloatVector sHi = FloatVector.zero(F);
                FloatVector xLo = FloatVector.zero(F);
                FloatVector xHi = FloatVector.zero(F);
                int xb = xo + c0 + 64 * c;
                for (int l = 0; l < 32; l += FL) {
                    ByteVector q = ByteVector.fromMemorySegment(B, s, off + quants + 32 * c + l, LE);
                    ByteVector lo = q.and((byte) 0xF);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    if (fifthBit) {
                        ByteVector h = ByteVector.fromMemorySegment(B, s, off + 16 + l, LE);
                        lo = lo.or(h.lanewise(VectorOperators.LSHR, 2 * c).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(h.lanewise(VectorOperators.LSHR, 2 * c + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    }
                    FloatVector x0 = FloatVector.fromArray(F, x, xb + l);
                    FloatVector x1 = FloatVector.fromArray(F, x, xb + 32 + l);
                    sLo = widen(lo).fma(x0, sLo);
                    sHi = widen(hi).fma(x1, sHi);
                    xLo = xLo.add(x0);
                    xHi = xHi.add(x1);
                }
                acc = sLo.fma(FloatVector.broadcast(F, d * Blocks.scaleK4(s, off + 4, 2 * c)), acc);
                acc = sHi.fma(FloatVector.broadcast(F, d * Blocks.scaleK4(s, off + 4, 2 * c + 1)), acc);
                accMin = xLo.fma(FloatVector.broadcast(F, dmin * Blocks.minK4(s, off + 4, 2 * c)), accMin);
                accMin = xHi.fma(FloatVector.broadcast(F, dmin * Blocks.minK4(s, off + 4, 2 * c + 1)), accMin);
            }
        }
        return acc.sub(accMin).reduceLanes(VectorOperators.ADD);
    }

    static float dotQ6K(MemorySegment s, long off, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int c0 = 0; c0 < n; c0 += 256, off += 210) {
            float d = Blocks.f16(s, off + 208);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64 * h + 32 * (k & 1);
                    int shift = 4 * (k >> 1);
                    for (int l = 0; l < 32; l += FL) {
                        ByteVector lo = ByteVector.fromMemorySegment(B, s, ql + l, LE)
                                .lanewise(VectorOperators.LSHR, shift).and((byte) 0xF);
                        ByteVector hi = ByteVector.fromMemorySegment(B, s, off + 128 + 32 * h + l, LE)
                                .lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
                        FloatVector w = widen(lo.or(hi).sub((byte) 32));
                        FloatVector p = w.mul(FloatVector.fromArray(F, x, xo + c0 + 128 * h + 32 * k + l));
                        float scale = d * Blocks.i8(s, off + 192 + 8 * h + 2 * k + l / 16);
                        acc = p.fma(FloatVector.broadcast(F, scale), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Types without their own kernel: one block at a time through the scalar dequantizer. */
    static float dotByBlocks(WeightMatrix w, long rowOff, float[] x, int xOff, float[] scratch) {
        GgmlType type = w.type();
        int bs = type.blockSize();
        int bb = type.bytesPerBlock();
        FloatVector acc = FloatVector.zero(F);
        float tail = 0f;
        long off = rowOff;
        for (int c = 0; c < w.cols(); c += bs, off += bb) {
            Blocks.dequantize(type, w.data(), off, scratch, 0);
            int j = 0;
            for (; j + FL <= bs; j += FL) {
                acc = FloatVector.fromArray(F, scratch, j).fma(FloatVector.fromArray(F, x, xOff + c + j), acc);
            }
            for (; j < bs; j++) {
                tail += scratch[j] * x[xOff + c + j];
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) + tail;
    }
}
