package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Row ranges of a one-token product with float weights (decode): for every row of
 * {@code [from, to)}, the row's {@link SimdMatrixKernels} float dot product with x, written to y.
 * A loop per type with its kernel inlined, for the reasons given at {@link Int8RowKernels}.
 */
final class FloatRowKernels {
    private FloatRowKernels() {}

    static void f32(RowProduct p, int from, int to, float[] sc) {
        MemorySegment s = p.data;
        float[] x = p.x;
        int xo = p.xOff;
        float[] y = p.y;
        int n = p.cols;
        long rb = p.rowBytes;
        int yo = p.yOff;
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotF32(s, i * rb, x, xo, n);
        }
    }

    static void f16(RowProduct p, int from, int to, float[] sc) {
        MemorySegment s = p.data;
        float[] x = p.x;
        int xo = p.xOff;
        float[] y = p.y;
        int n = p.cols;
        long rb = p.rowBytes;
        int yo = p.yOff;
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotF16(s, i * rb, x, xo, n);
        }
    }

    static void bf16(RowProduct p, int from, int to, float[] sc) {
        MemorySegment s = p.data;
        float[] x = p.x;
        int xo = p.xOff;
        float[] y = p.y;
        int n = p.cols;
        long rb = p.rowBytes;
        int yo = p.yOff;
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotBF16(s, i * rb, x, xo, n);
        }
    }
}
