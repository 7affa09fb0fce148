package dev.vireo.cli;

/**
 * What the kernels can use on this JVM: the Vector API's preferred width, or the scalar fallback
 * when the process runs without {@code --add-modules jdk.incubator.vector}.
 */
final class SimdInfo {
    private SimdInfo() {}

    static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** e.g. "SIMD 256-bit (8 floats)" or "scalar fallback (no jdk.incubator.vector)". */
    static String describe() {
        if (!vectorApiPresent()) {
            return "scalar fallback (no jdk.incubator.vector)";
        }
        // Referenced only here, so the class loads only when the module is present.
        int bits = PreferredSpecies.bits();
        return "SIMD " + bits + "-bit (" + bits / 32 + " floats)";
    }

    private static final class PreferredSpecies {
        static int bits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
