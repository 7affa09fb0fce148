package dev.vireo.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a GGUF v3 file from metadata and tensors.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .addMetadata("general.architecture", GgufValue.ofString("llama"))
 *     .addTensor("output_norm.weight", GgmlType.F32, new long[] {64}, bytes)
 *     .addTensor("token_embd.weight", GgmlType.Q8_0, new long[] {4096, 32000}, out -> quantizeRowsInto(out))
 *     .write(path);
 * }</pre>
 *
 * <p>Layout as llama.cpp writes it: header, key/value pairs in the order they were added, tensor
 * infos in the order they were added, zero padding to the alignment, then each tensor's bytes
 * padded with zeros to the alignment (also after the last one). The alignment is the value of
 * {@code general.alignment} when that key was added (it must be a UINT32 power of two), else 32.
 * A file with no tensors ends right after its metadata, like llama.cpp's vocab-only files.
 *
 * <p>The output depends only on what was added: the same calls give the same bytes. Tensor bytes
 * are pulled one tensor at a time while writing, so a {@link TensorSource} callback can stream a
 * model far larger than the heap. A writer is not thread-safe; it may be written more than once.
 */
public final class GgufWriter {
    /** The GGUF version written. */
    public static final int VERSION = 3;

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final java.util.Set<String> tensorNames = new java.util.HashSet<>();

    /**
     * Produces a tensor's bytes on demand. {@link #writeTo} must write exactly the tensor's byte
     * size ({@code GgmlType.bytesFor(elements)}) to {@code out}; the writer checks the count.
     */
    @FunctionalInterface
    public interface TensorSource {
        void writeTo(OutputStream out) throws IOException;

        /** The bytes of an array (not copied: do not change it before writing). */
        static TensorSource of(byte[] bytes) {
            Objects.requireNonNull(bytes);
            return out -> out.write(bytes);
        }

        /** The bytes of a segment, for example a tensor of an open {@link GgufFile}. */
        static TensorSource of(MemorySegment segment) {
            Objects.requireNonNull(segment);
            return out -> {
                byte[] chunk = new byte[(int) Math.min(segment.byteSize(), 1 << 20)];
                for (long at = 0; at < segment.byteSize(); at += chunk.length) {
                    int n = (int) Math.min(chunk.length, segment.byteSize() - at);
                    MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            };
        }
    }

    private record PendingTensor(String name, GgmlType type, long[] shape, long byteSize, TensorSource source) {}

    /**
     * Adds a key/value pair (written in the order added).
     *
     * @throws IllegalArgumentException for an empty or repeated key, or a {@code general.alignment}
     *     that is not a UINT32 power of two
     */
    public GgufWriter addMetadata(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("metadata key is empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("metadata key '" + key + "' was already added");
        }
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            checkAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    /** Adds every key/value pair of {@code source}, in its order (e.g. to copy a file's metadata). */
    public GgufWriter addMetadata(GgufMetadata source) {
        source.asMap().forEach(this::addMetadata);
        return this;
    }

    /**
     * Adds a tensor whose bytes are produced while the file is written.
     *
     * @param shape GGUF dimensions, innermost first ({@code ne0} = row length), 1 to 4 of them
     * @throws IllegalArgumentException for a repeated or too long name, a bad shape, or a row
     *     length that is not a whole number of the type's blocks
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        if (name.getBytes(StandardCharsets.UTF_8).length >= GgufFile.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than "
                    + (GgufFile.MAX_NAME_BYTES - 1) + " bytes");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        try {
            long[] dims = shape.clone();
            tensors.add(new PendingTensor(name, type, dims, byteSize(name, type, dims), source));
        } catch (RuntimeException e) {
            tensorNames.remove(name);
            throw e;
        }
        return this;
    }

    /** Adds a tensor with its bytes in an array (not copied). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, checkedLength(name, type, shape, data.length, TensorSource.of(data)));
    }

    /** Adds a tensor with its bytes in a segment, e.g. {@link GgufTensor#data()} of an open file. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        return addTensor(name, type, shape, checkedLength(name, type, shape, data.byteSize(), TensorSource.of(data)));
    }

    /** Adds a copy of a tensor of an open file (its bytes are read while writing). */
    public GgufWriter addTensor(GgufTensor tensor) {
        return addTensor(tensor.name(), tensor.type(), tensor.shape(), tensor.data());
    }

    private static TensorSource checkedLength(String name, GgmlType type, long[] shape, long length, TensorSource s) {
        long expected = byteSize(name, type, shape.clone());
        if (length != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + type + " " + java.util.Arrays.toString(shape)
                    + " takes " + expected + " bytes, got " + length);
        }
        return s;
    }

    private static long byteSize(String name, GgmlType type, long[] shape) {
        if (shape.length < 1 || shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions (1 to "
                    + GgufFile.MAX_DIMS + " allowed)");
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a dimension of " + d
                        + " in " + java.util.Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize());
        }
        return type.bytesFor(elements);
    }

    private static int checkAlignment(GgufValue value) {
        if (value.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be UINT32, not " + value.type());
        }
        int a = (Integer) value.value();
        if (a <= 0 || Integer.bitCount(a) != 1) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " " + Integer.toUnsignedString(a)
                    + " is not a power of two");
        }
        return a;
    }

    /** The data alignment the file will use. */
    public int alignment() {
        GgufValue a = metadata.get(GgufFile.ALIGNMENT_KEY);
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : checkAlignment(a);
    }

    /**
     * Writes the file. It is first written beside {@code path} as {@code <name>.part} and moved
     * into place at the end, so a failure (for example a throwing {@link TensorSource}) never
     * leaves a truncated file at {@code path}.
     *
     * @throws IOException on a write error, or when a source writes the wrong number of bytes
     */
    public void write(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".part");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20)) {
                write(out);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes the file to a stream (not closed). */
    public void write(OutputStream out) throws IOException {
        int alignment = alignment();
        GgufEncoder header = new GgufEncoder();
        header.u32(GgufFile.MAGIC);
        header.u32(VERSION);
        header.u64(tensors.size());
        header.u64(metadata.size());
        metadata.forEach((k, v) -> {
            header.string(k);
            header.value(v);
        });
        long offset = 0;
        for (PendingTensor t : tensors) {
            header.string(t.name);
            header.u32(t.shape.length);
            for (long d : t.shape) {
                header.u64(d);
            }
            header.u32(t.type.id());
            header.u64(offset);
            offset = GgufFile.alignUp(offset + t.byteSize, alignment);
        }
        if (!tensors.isEmpty()) {
            header.zeros(GgufFile.alignUp(header.size(), alignment) - header.size());
        }
        header.writeTo(out);

        for (PendingTensor t : tensors) {
            CountingStream counted = new CountingStream(out);
            t.source.writeTo(counted);
            if (counted.count != t.byteSize) {
                throw new IOException("tensor '" + t.name + "' source wrote " + counted.count + " bytes, expected "
                        + t.byteSize + " (" + t.type + " " + java.util.Arrays.toString(t.shape) + ")");
            }
            long pad = GgufFile.alignUp(t.byteSize, alignment) - t.byteSize;
            out.write(new byte[(int) pad]);
        }
        out.flush();
    }

    /** Passes bytes through and counts them; refuses to be closed by a source. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // The writer owns the underlying stream.
        }
    }
}
