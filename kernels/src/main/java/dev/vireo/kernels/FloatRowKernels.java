package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Row ranges of a one-token product with float weights (decode): {@code y[yo + i]} = row i of W
 * (rows of {@code rb} bytes, {@code n} weights) times {@code x[xo ..]}, for
 * {@code from <= i < to} ({@code a} unused). A loop per type with its kernel inlined, for the
 * reasons given at {@link Int8RowKernels}.
 */
final class FloatRowKernels {
    private FloatRowKernels() {}

    static void f32(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotF32(s, i * rb, x, xo, n);
        }
    }

    static void f16(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotF16(s, i * rb, x, xo, n);
        }
    }

    static void bf16(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = SimdMatrixKernels.dotBF16(s, i * rb, x, xo, n);
        }
    }
}
