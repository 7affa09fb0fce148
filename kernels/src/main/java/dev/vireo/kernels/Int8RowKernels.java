package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Row ranges of a one-token product with 8-bit activations (decode): {@code y[yo + i]} = row i of
 * W (rows of {@code rb} bytes, {@code n} weights) times the activations {@code a}, for
 * {@code from <= i < to}. ({@code x} and {@code xo} are unused: the signature is the one every
 * row-range kernel shares, {@link RowProduct#run}.)
 *
 * <p>One method per weight type, each calling its kernel directly, so that C2 inlines the kernel
 * into the loop over rows: a row then costs no call, and what does not change from row to row
 * (segment and array checks) can leave the loop. The methods are reached through method handles
 * once per chunk of rows ({@link SimdMatrixKernels}), which keeps each type in a compiled unit of
 * its own, within C2's inlining budget. Called through a method handle per row instead, decode of
 * a 1B Q4_0 model at 1 thread took 98 ms per token against 87 ms this way (`vireo bench
 * --profile`, alternating runs). The K-quants are not here: see {@link SimdMatrixKernels}.
 *
 * <p>The loops hold nothing but the kernel call. A loop over the tokens of a batch around it
 * (one token in decode) cost 7 % of decode speed, so batches keep the per-row calls.
 *
 * <p>The {@code ...Lora} twins add one LoRA term inside each row's kernel: row i's {@code B_i . t}
 * (B as float rows of {@code rp}, a multiple of 8, t zero-padded to {@code rp}) is the vector the
 * row's lane sums start from, so B is read a line per row beside W, where the compute-bound
 * kernel hides it, instead of in a stream of its own after each chunk of rows, and costs no
 * horizontal sum. 1B Q4_0, rank 16 on all seven projections, 2 threads, tokens of the two arms
 * alternating in one process (8 at a time, 320 per arm): 0.964-0.971 of the adapter-free speed
 * against 0.956-0.966 with the B stream. Methods of their own, because an earlier try that
 * built the term into the plain kernels made them slower for products without an adapter as well;
 * adding the reduced term after the row's sum instead of starting from it was slower too (1
 * thread: +2.0 against +1.4 ms per token for the B side).
 */
final class Int8RowKernels {
    private Int8RowKernels() {}

    static void q8_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q8_0(s, i * rb, a, 0, n);
        }
    }

    static void q4_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q4_0(s, i * rb, a, 0, n);
        }
    }

    static void q4_1(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q4_1(s, i * rb, a, 0, n);
        }
    }

    static void q5_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, false);
        }
    }

    static void q5_1(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, true);
        }
    }

    static void q8_0Lora(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to, float[] up, int rp, float[] t) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q8_0(s, i * rb, a, 0, n, LoraUpKernels.rowTerm(up, i * rp, rp, t));
        }
    }

    static void q4_0Lora(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to, float[] up, int rp, float[] t) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q4_0(s, i * rb, a, 0, n, LoraUpKernels.rowTerm(up, i * rp, rp, t));
        }
    }

    static void q4_1Lora(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to, float[] up, int rp, float[] t) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q4_1(s, i * rb, a, 0, n, LoraUpKernels.rowTerm(up, i * rp, rp, t));
        }
    }

    static void q5_0Lora(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to, float[] up, int rp, float[] t) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, false, LoraUpKernels.rowTerm(up, i * rp, rp, t));
        }
    }

    static void q5_1Lora(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to, float[] up, int rp, float[] t) {
        for (int i = from; i < to; i++) {
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, true, LoraUpKernels.rowTerm(up, i * rp, rp, t));
        }
    }
}
