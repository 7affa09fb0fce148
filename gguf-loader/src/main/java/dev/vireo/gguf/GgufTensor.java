package dev.vireo.gguf;

import java.lang.foreign.MemorySegment;

/**
 * One tensor of a GGUF file: its name, element type, shape and a read-only slice of the file
 * mapping that holds its data (no copy).
 *
 * <p>{@code shape[0]} is GGUF's {@code ne0}, the innermost, contiguous dimension: a weight
 * matrix has {@link #rows()} rows of {@link #cols()} values each, one row per output feature.
 * The {@link #data()} segment is valid only while its {@link GgufFile} is open.
 *
 * @param name tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type element type
 * @param shape dimensions, innermost first (1 to 4 of them)
 * @param fileOffset absolute position of the first data byte in the file
 * @param data the tensor bytes, a slice of the file mapping
 */
public record GgufTensor(String name, GgmlType type, long[] shape, long fileOffset, MemorySegment data) {

    /** Total number of values. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Values per row: {@code shape[0]}. */
    public long cols() {
        return shape[0];
    }

    /** Number of rows: the product of every dimension but the first. */
    public long rows() {
        return elementCount() / Math.max(1, shape[0]);
    }

    /** Size of the data in bytes. */
    public long byteSize() {
        return data.byteSize();
    }

    /** The shape as ggml prints it, e.g. {@code [64, 512]}. */
    public String shapeString() {
        return java.util.Arrays.toString(shape);
    }
}
