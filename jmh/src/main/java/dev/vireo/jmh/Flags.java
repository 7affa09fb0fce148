package dev.vireo.jmh;

/** JVM flags of the forked benchmark JVMs (kept in one place; annotations need constants). */
final class Flags {
    private Flags() {}

    /** Vector API (the kernels), native access (FFM), room for up to ~4 GiB of off-heap weights. */
    static final String ADD_MODULES = "--add-modules";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";
    static final String HEAP = "-Xmx1g";
    static final String DIRECT = "-XX:MaxDirectMemorySize=4g";
    /** JMH 1.37 itself calls sun.misc.Unsafe; JDK 24+ would warn about it in every fork. */
    static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
}
