package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;

/**
 * The plain reference: each block is dequantized exactly as ggml does it (see {@link Blocks}) and
 * multiplied with the float activations, summed in double. Slow but obviously right; the fast
 * kernels are tested against it, and it is the fallback when the Vector API is absent.
 */
final class ScalarMatrixKernels extends PooledMatrixKernels {

    ScalarMatrixKernels(int threads) {
        super(threads);
    }

    @Override
    public String description() {
        return "scalar fallback";
    }

    @Override
    boolean supports(GgmlType type) {
        return Blocks.supports(type);
    }

    @Override
    float dot(WeightMatrix w, long rowOff, float[] x, int xOff, int token, float[] scratch) {
        return rowDot(w, rowOff, x, xOff, scratch);
    }

    /** The reference dot product of one row with {@code x}, shared with tests of other kernels. */
    static float rowDot(WeightMatrix w, long rowOff, float[] x, int xOff, float[] scratch) {
        GgmlType type = w.type();
        int bs = type.blockSize();
        int bb = type.bytesPerBlock();
        double sum = 0;
        long off = rowOff;
        for (int c = 0; c < w.cols(); c += bs, off += bb) {
            Blocks.dequantize(type, w.data(), off, scratch, 0);
            for (int j = 0; j < bs; j++) {
                sum += (double) scratch[j] * x[xOff + c + j];
            }
        }
        return (float) sum;
    }
}
