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
 * <p>The loops hold nothing but the kernel call and the row's {@link ReadAhead} (a load per cache
 * line of the row before the kernel reads it: decode twice as fast on a machine whose hardware
 * prefetcher does not keep ahead of the kernel). A loop over the tokens of a batch around it
 * (one token in decode) cost 7 % of decode speed, so batches keep the per-row calls. Adding each
 * row's LoRA term inside the kernel (B read as float rows beside W, hoping the compute-bound
 * kernel would hide the reads) made the kernel itself slower, also for products without an
 * adapter once the code was compiled in: 1B Q4_0, rank 16 on all projections, ffn_gate took
 * +2.1 ms per token that way against +0.7 ms for the separate A x pass and B stream
 * ({@link PooledMatrixKernels#addLoraTerms}). Loops of their own for that case, leaving these
 * untouched, were slower in JMH as well (1 thread, decode ratio 0.949 against 0.976; the LoRA
 * loop kept the segment's bound on the stack, read by every block's bounds check): jmh/README.
 */
final class Int8RowKernels {
    private Int8RowKernels() {}

    static void q8_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        int touched = 0;
        for (int i = from; i < to; i++) {
            touched += ReadAhead.touch(s, i * rb, rb);
            y[yo + i] = Int8DotKernels.q8_0(s, i * rb, a, 0, n);
        }
        ReadAhead.keep(touched);
    }

    static void q4_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        int touched = 0;
        for (int i = from; i < to; i++) {
            touched += ReadAhead.touch(s, i * rb, rb);
            y[yo + i] = Int8DotKernels.q4_0(s, i * rb, a, 0, n);
        }
        ReadAhead.keep(touched);
    }

    static void q4_1(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        int touched = 0;
        for (int i = from; i < to; i++) {
            touched += ReadAhead.touch(s, i * rb, rb);
            y[yo + i] = Int8DotKernels.q4_1(s, i * rb, a, 0, n);
        }
        ReadAhead.keep(touched);
    }

    static void q5_0(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        int touched = 0;
        for (int i = from; i < to; i++) {
            touched += ReadAhead.touch(s, i * rb, rb);
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, false);
        }
        ReadAhead.keep(touched);
    }

    static void q5_1(MemorySegment s, long rb, int n, Int8Activations a, float[] x, int xo, float[] y, int yo,
            int from, int to) {
        int touched = 0;
        for (int i = from; i < to; i++) {
            touched += ReadAhead.touch(s, i * rb, rb);
            y[yo + i] = Int8DotKernels.q5(s, i * rb, a, 0, n, true);
        }
        ReadAhead.keep(touched);
    }
}
