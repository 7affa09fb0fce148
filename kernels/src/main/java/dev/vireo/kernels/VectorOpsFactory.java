package dev.vireo.kernels;

/** Creates the small-op kernels; {@link KernelProvider} decides which. */
final class VectorOpsFactory {
    private VectorOpsFactory() {}

    static VectorOps simd() {
        throw new UnsupportedOperationException("being written (issue #3)");
    }

    static VectorOps scalar() {
        throw new UnsupportedOperationException("being written (issue #3)");
    }
}
