package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufTensor;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix read in place: {@code rows} rows of {@code cols} values of one ggml type, each
 * row {@code cols / blockSize} consecutive blocks of {@link #data()} (GGUF's ne0 is {@code cols}).
 * Nothing is copied or dequantized as a whole.
 *
 * @param type element type of the stored values
 * @param rows number of rows (output features)
 * @param cols values per row (input features)
 * @param data at least {@code rows * rowBytes()} bytes
 */
public record WeightMatrix(GgmlType type, int rows, int cols, MemorySegment data) {

    public WeightMatrix {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape " + rows + " x " + cols + " must be positive");
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of the " + type
                    + " block size " + type.blockSize());
        }
        long need = (long) rows * (cols / type.blockSize()) * type.bytesPerBlock();
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(type + " matrix " + rows + " x " + cols + " needs " + need
                    + " bytes, the segment has " + data.byteSize());
        }
    }

    /** The 2-D tensor {@code t} as a matrix (higher dimensions are folded into rows). */
    public static WeightMatrix of(GgufTensor t) {
        return new WeightMatrix(t.type(), Math.toIntExact(t.rows()), Math.toIntExact(t.cols()), t.data());
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return (long) (cols / type.blockSize()) * type.bytesPerBlock();
    }

    /** Bytes of the whole matrix. */
    public long byteSize() {
        return rows * rowBytes();
    }
}
