package dev.vireo.kernels;

/**
 * Picks the Vector API kernels when {@code jdk.incubator.vector} is present and falls back to
 * the scalar ones (with a single warning on stderr) when it is not. The choice is made once.
 *
 * <p>The Vector API classes are only touched after the module check, so this class loads and
 * works on a JVM started without {@code --add-modules jdk.incubator.vector}.
 */
public final class KernelProvider {
    private KernelProvider() {}

    /** Decided once, on first use. */
    private static final class Choice {
        static final boolean VECTOR_API = detect();

        private static boolean detect() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                return true;
            }
            System.err.println("WARNING: Vireo runs its slow scalar kernels: the Vector API is absent "
                    + "(start java with --add-modules jdk.incubator.vector)");
            return false;
        }
    }

    /** Whether the Vector API kernels are in use. */
    public static boolean vectorApiAvailable() {
        return Choice.VECTOR_API;
    }

    /** Matrix kernels over a new pool of {@code threads} threads (best implementation available). */
    public static MatrixKernels matrixKernels(int threads) {
        return matrixKernels(threads, true);
    }

    /**
     * Matrix kernels over a new pool of {@code threads} threads, with or without the tiled
     * prefill matmul for prompt batches (without: every product runs the per-row kernels, the
     * baseline in benchmarks). The scalar fallback has no tiled path.
     */
    public static MatrixKernels matrixKernels(int threads, boolean tiledPrefill) {
        if (!Choice.VECTOR_API) {
            return scalarMatrixKernels(threads);
        }
        return tiledPrefill ? VectorApiKernels.matrix(threads) : VectorApiKernels.rows(threads);
    }

    /** Matrix kernels over a pool with one thread per available processor. */
    public static MatrixKernels matrixKernels() {
        return matrixKernels(Runtime.getRuntime().availableProcessors());
    }

    /** The small-op kernels (best implementation available). */
    public static VectorOps vectorOps() {
        return Choice.VECTOR_API ? VectorOpsFactory.simd() : VectorOpsFactory.scalar();
    }

    /** The plain scalar kernels: the reference in tests. */
    public static MatrixKernels scalarMatrixKernels(int threads) {
        return new ScalarMatrixKernels(threads);
    }

    /** The plain scalar small ops: the reference in tests. */
    public static VectorOps scalarVectorOps() {
        return VectorOpsFactory.scalar();
    }

    /** Keeps the reference to the Vector API implementation out of the always-loaded code path. */
    private static final class VectorApiKernels {
        static MatrixKernels matrix(int threads) {
            // prompt batches go to the tiled dequantize-once matmul, the rest to the row kernels
            return new TiledMatrixKernels(new SimdMatrixKernels(threads), TiledMatrixKernels.DEFAULT_MIN_TOKENS);
        }

        static MatrixKernels rows(int threads) {
            return new SimdMatrixKernels(threads);
        }
    }
}
