package dev.vireo.kernels;

/** Creates the small-op kernels; {@link KernelProvider} decides which. */
final class VectorOpsFactory {
    private VectorOpsFactory() {}

    /** The Vector API small ops (needs {@code jdk.incubator.vector}). */
    static VectorOps simd() {
        return new SimdVectorOps();
    }

    /** The plain scalar small ops: the reference. */
    static VectorOps scalar() {
        return new ScalarVectorOps();
    }
}
