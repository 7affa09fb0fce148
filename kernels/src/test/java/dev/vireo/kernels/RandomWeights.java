package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Random but valid weight matrices of every type: random quant bytes, with the fp16 scale fields
 * overwritten by moderate random halves (random bits would make infinities and NaNs).
 */
final class RandomWeights {
    private RandomWeights() {}

    static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
        GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.Q2_K, GgmlType.Q3_K,
        GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_XS};

    /** Byte offsets of the fp16 scale fields inside one block. */
    static int[] halfFields(GgmlType t) {
        return switch (t) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    static WeightMatrix matrix(GgmlType type, int rows, int cols, long seed) {
        Random r = new Random(seed);
        long bytes = (long) rows * type.bytesFor(cols);
        MemorySegment s = Arena.ofAuto().allocate(bytes, 64);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    s.set(Blocks.F32, i, (float) r.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    s.set(Blocks.U16, i, Halves.floatToF16((float) r.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    s.set(Blocks.U16, i, Halves.floatToBf16((float) r.nextGaussian()));
                }
            }
            default -> {
                byte[] b = new byte[(int) bytes];
                r.nextBytes(b);
                s.copyFrom(MemorySegment.ofArray(b));
                int bb = type.bytesPerBlock();
                for (long blk = 0; blk < bytes; blk += bb) {
                    for (int f : halfFields(type)) {
                        // magnitudes 2^-9..2^-3 with either sign: like real model scales
                        float v = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), -3 - r.nextInt(7)));
                        s.set(Blocks.U16, blk + f, Halves.floatToF16(v));
                    }
                }
            }
        }
        return new WeightMatrix(type, rows, cols, s);
    }

    static float[] vector(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Row {@code i} of W dequantized by the scalar reference. */
    static float[] row(WeightMatrix w, int i) {
        float[] out = new float[w.cols()];
        try (MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            k.dequantizeRow(w, i, out, 0);
        }
        return out;
    }
}
