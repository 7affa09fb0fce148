package dev.vireo.gguf;

import java.util.HexFormat;

/**
 * The 288-byte file of GGUF.md section 2.6, written by llama.cpp's gguf-py: the reference for
 * the writer's byte layout and a small valid input for the reader and the fuzzers.
 */
final class WorkedExample {
    private WorkedExample() {}

    /** The hex dump of GGUF.md 2.6, 16 bytes a line. */
    private static final String HEX = """
            47 47 55 46 03 00 00 00 02 00 00 00 00 00 00 00
            03 00 00 00 00 00 00 00 14 00 00 00 00 00 00 00
            67 65 6e 65 72 61 6c 2e 61 72 63 68 69 74 65 63
            74 75 72 65 08 00 00 00 05 00 00 00 00 00 00 00
            6c 6c 61 6d 61 11 00 00 00 00 00 00 00 6c 6c 61
            6d 61 2e 62 6c 6f 63 6b 5f 63 6f 75 6e 74 04 00
            00 00 01 00 00 00 05 00 00 00 00 00 00 00 74 2e
            61 72 72 09 00 00 00 05 00 00 00 02 00 00 00 00
            00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00
            00 00 00 77 02 00 00 00 03 00 00 00 00 00 00 00
            02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 01 00 00 00 00 00 00 00 62 01 00 00
            00 01 00 00 00 00 00 00 00 01 00 00 00 20 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 80 3f 00 00 00 40 00 00 40 40 00 00 80 40
            00 00 a0 40 00 00 c0 40 00 00 00 00 00 00 00 00
            00 38 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            """;

    /** The file's bytes as printed in the document. */
    static byte[] bytes() {
        return HexFormat.of().parseHex(HEX.replaceAll("\\s+", ""));
    }

    /** The same content built with {@link GgufWriter}. */
    static GgufWriter writer() {
        byte[] w = new byte[24];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 6; i++) {
            bb.putFloat(i);
        }
        byte[] b = {0x00, 0x38}; // f16 0.5
        return new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString("llama"))
                .addMetadata("llama.block_count", GgufValue.ofUInt32(1))
                .addMetadata("t.arr", GgufValue.ofInts(1, 2))
                .addTensor("w", GgmlType.F32, new long[] {3, 2}, w)
                .addTensor("b", GgmlType.F16, new long[] {1}, b);
    }
}
