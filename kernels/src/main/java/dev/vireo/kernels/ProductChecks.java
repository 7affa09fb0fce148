package dev.vireo.kernels;

/**
 * Argument checks shared by every {@link MatrixKernels} implementation, so the per-row and the
 * tiled products refuse the same bad calls with the same messages.
 */
final class ProductChecks {
    private ProductChecks() {}

    /** {@code n} vectors of {@code count} values at {@code off + t * stride} fit an array of {@code length}. */
    static void range(String what, int length, int off, int stride, int n, int count) {
        long last = (long) off + (long) stride * (n - 1) + count;
        if (off < 0 || stride < 0 || last > length) {
            throw new IndexOutOfBoundsException(what + ": " + n + " vector(s) of " + count + " at offset " + off
                    + " stride " + stride + " do not fit an array of " + length);
        }
    }

    /** The low-rank set was built for W's shape and has scratch for a batch of {@code n}. */
    static void loraFits(WeightMatrix w, LowRankSet lora, int n) {
        if (lora.rows() != w.rows() || lora.cols() != w.cols()) {
            throw new IllegalArgumentException("LoRA set for " + lora.rows() + " x " + lora.cols()
                    + " used with a " + w.rows() + " x " + w.cols() + " weight");
        }
        if ((long) lora.totalRank * n > lora.scratch.length) {
            throw new IllegalArgumentException("LoRA set sized for " + lora.scratch.length / Math.max(1, lora.totalRank)
                    + " tokens used with a batch of " + n);
        }
    }
}
