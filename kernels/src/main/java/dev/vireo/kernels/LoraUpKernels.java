package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The up-projection of a LoRA term over a range of output rows: {@code y[i] += B_i . t} for rows
 * {@code from <= i < to}, with B an F32 or F16 matrix of {@code r} columns (the rank) and t the
 * {@code r} values of {@code scale * A x}. One call covers a whole chunk of rows, so the rank-16
 * product of a row (two 8-lane loads and multiply-adds) no longer pays a dispatched call of its
 * own; t is read from the same few cache lines for every row.
 */
final class LoraUpKernels {
    private LoraUpKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> H = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int FL = F.length();

    /** Whether {@link #addRows} has a kernel for B's type. */
    static boolean supports(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16;
    }

    /** Vector API version; ranks that are not a multiple of 8 finish with a scalar tail. */
    static void addRows(WeightMatrix b, int from, int to, float[] t, int tOff, float[] y, int yOff) {
        MemorySegment s = b.data();
        int r = b.cols();
        int body = r - r % FL;
        long rowBytes = b.rowBytes();
        boolean half = b.type() == GgmlType.F16;
        for (int i = from; i < to; i++) {
            long off = i * rowBytes;
            FloatVector acc = FloatVector.zero(F);
            int k = 0;
            if (half) {
                for (; k < body; k += FL) {
                    IntVector bits = (IntVector) ShortVector.fromMemorySegment(H, s, off + 2L * k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.S2I, I, 0);
                    acc = SimdMatrixKernels.halfToFloat(bits).fma(FloatVector.fromArray(F, t, tOff + k), acc);
                }
            } else {
                for (; k < body; k += FL) {
                    acc = FloatVector.fromMemorySegment(F, s, off + 4L * k, ByteOrder.LITTLE_ENDIAN)
                            .fma(FloatVector.fromArray(F, t, tOff + k), acc);
                }
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; k < r; k++) {
                sum += value(s, off, half, k) * t[tOff + k];
            }
            y[yOff + i] += sum;
        }
    }

    /** The scalar twin: the same sums, one value at a time, in double. */
    static void addRowsScalar(WeightMatrix b, int from, int to, float[] t, int tOff, float[] y, int yOff) {
        MemorySegment s = b.data();
        int r = b.cols();
        boolean half = b.type() == GgmlType.F16;
        for (int i = from; i < to; i++) {
            long off = i * b.rowBytes();
            double sum = 0;
            for (int k = 0; k < r; k++) {
                sum += (double) value(s, off, half, k) * t[tOff + k];
            }
            y[yOff + i] += (float) sum;
        }
    }

    private static float value(MemorySegment s, long off, boolean half, int k) {
        return half ? Blocks.f16(s, off + 2L * k) : s.get(Blocks.F32, off + 4L * k);
    }
}
