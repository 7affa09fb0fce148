package dev.vireo.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (v2 or v3) mapped read-only into memory.
 *
 * <p>The whole file is mapped once; tensor data are slices of that mapping, so opening a file
 * costs the same whatever the model size and no weight is ever copied. Everything is validated
 * before use: a corrupt, truncated or hostile file gives a {@link GgufFormatException} naming the
 * file and the byte offset.
 *
 * <p>Lifetime: the mapping lives until {@link #close()}. The mapping uses a shared arena, so
 * tensor segments may be read from any thread; after {@code close()} any access to them throws
 * {@link IllegalStateException} (never a crash). Close only when no thread still reads them.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    /** Alignment of the data section when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** llama.cpp's GGML_MAX_NAME: tensor names are shorter than this (in bytes). */
    static final int MAX_NAME_BYTES = 64;
    static final int MAX_DIMS = 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> byName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, GgufMetadata metadata,
            List<GgufTensor> tensors, int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableList(tensors);
        Map<String, GgufTensor> m = new LinkedHashMap<>();
        for (GgufTensor t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException if the file is not valid GGUF
     * @throws IOException if it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment mapping = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, arena, mapping);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment mapping) {
        GgufReader r = new GgufReader(path, mapping);
        if (mapping.byteSize() < 4) {
            throw r.error("file is too short to be GGUF (" + mapping.byteSize() + " bytes)");
        }
        int magic = r.i32("magic");
        if (magic != MAGIC) {
            throw r.errorAt(0, String.format("not a GGUF file (magic %08x, expected 'GGUF')", magic));
        }
        long versionPos = r.position();
        int version = r.i32("version");
        if ((version & 0xFFFF) == 0 && version != 0) {
            throw r.errorAt(versionPos, "version " + Integer.toUnsignedString(version)
                    + " looks byte-swapped: big-endian GGUF files are not supported");
        }
        if (version == 1) {
            throw r.errorAt(versionPos, "GGUF v1 is no longer supported (re-convert the model)");
        }
        if (version != 2 && version != 3) {
            throw r.errorAt(versionPos, "unsupported GGUF version " + Integer.toUnsignedString(version));
        }
        long nTensorsPos = r.position();
        long nTensors = r.i64("tensor count");
        long nKvPos = r.position();
        long nKv = r.i64("metadata count");
        // Every tensor info takes at least 8 (name length) + 4 + 8 + 4 + 8 bytes; every KV at least 8 + 4 + 1.
        if (nTensors < 0 || nTensors > r.remaining() / 32) {
            throw r.errorAt(nTensorsPos, "tensor count " + Long.toUnsignedString(nTensors) + " is impossible for a file of "
                    + mapping.byteSize() + " bytes");
        }
        if (nKv < 0 || nKv > r.remaining() / 13) {
            throw r.errorAt(nKvPos, "metadata count " + Long.toUnsignedString(nKv) + " is impossible for a file of "
                    + mapping.byteSize() + " bytes");
        }

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            long keyPos = r.position();
            String key = r.string("metadata key");
            if (key.isEmpty()) {
                throw r.errorAt(keyPos, "empty metadata key");
            }
            if (kv.containsKey(key)) {
                throw r.errorAt(keyPos, "duplicate metadata key '" + key + "'");
            }
            kv.put(key, GgufValues.read(r, key));
        }
        GgufMetadata metadata = new GgufMetadata(kv);

        int alignment = DEFAULT_ALIGNMENT;
        GgufValue a = kv.get("general.alignment");
        if (a != null) {
            if (a.type() != GgufValueType.UINT32) {
                throw r.errorAt(24, "general.alignment must be UINT32, not " + a.type());
            }
            int al = (Integer) a.value();
            if (al <= 0 || Integer.bitCount(al) != 1) {
                throw r.errorAt(24, "general.alignment " + Integer.toUnsignedString(al) + " is not a power of two");
            }
            alignment = al;
        }

        List<TensorInfo> infos = new ArrayList<>((int) nTensors);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            TensorInfo ti = readTensorInfo(r);
            if (!names.add(ti.name)) {
                throw r.errorAt(ti.pos, "duplicate tensor name '" + ti.name + "'");
            }
            infos.add(ti);
        }

        long dataOffset = nTensors == 0 ? r.position() : alignUp(r.position(), alignment);
        long fileSize = mapping.byteSize();
        if (nTensors > 0 && dataOffset > fileSize) {
            throw r.errorAt(r.position(), "file ends before the data section (needs " + dataOffset + " bytes, has " + fileSize + ")");
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (TensorInfo ti : infos) {
            if (ti.offset % alignment != 0) {
                throw r.errorAt(ti.offsetPos, "tensor '" + ti.name + "' offset " + ti.offset + " is not a multiple of the alignment " + alignment);
            }
            long dataSize = fileSize - dataOffset;
            if (ti.offset < 0 || ti.offset > dataSize || ti.bytes > dataSize - ti.offset) {
                throw r.errorAt(ti.offsetPos, "tensor '" + ti.name + "' data [" + Long.toUnsignedString(ti.offset) + ", +" + ti.bytes
                        + ") lies outside the data section of " + dataSize + " bytes");
            }
            long abs = dataOffset + ti.offset;
            tensors.add(new GgufTensor(ti.name, ti.type, ti.shape, abs, mapping.asSlice(abs, ti.bytes)));
        }
        checkNoOverlap(r, infos);
        return new GgufFile(path, arena, mapping, version, metadata, tensors, alignment, dataOffset);
    }

    private record TensorInfo(String name, GgmlType type, long[] shape, long bytes, long offset, long pos, long offsetPos) {}

    private static TensorInfo readTensorInfo(GgufReader r) {
        long pos = r.position();
        String name = r.string("tensor name");
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= MAX_NAME_BYTES) {
            throw r.errorAt(pos, "tensor name '" + name.substring(0, Math.min(name.length(), 80)) + "' is longer than "
                    + (MAX_NAME_BYTES - 1) + " bytes");
        }
        long dimsPos = r.position();
        int nDims = r.i32("tensor dimension count");
        if (nDims < 0 || nDims > MAX_DIMS) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (at most " + MAX_DIMS + ")");
        }
        long[] shape = new long[Math.max(1, nDims)];
        Arrays.fill(shape, 1);
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long dPos = r.position();
            long ne = r.i64("tensor dimension");
            if (ne <= 0) {
                throw r.errorAt(dPos, "tensor '" + name + "' dimension " + d + " is " + ne + " (must be positive)");
            }
            shape[d] = ne;
            try {
                elements = Math.multiplyExact(elements, ne);
            } catch (ArithmeticException e) {
                throw r.errorAt(dPos, "tensor '" + name + "' element count overflows");
            }
        }
        long typePos = r.position();
        int typeId = r.i32("tensor type");
        GgmlType type = GgmlType.byIdOrNull(typeId);
        if (type == null) {
            throw r.errorAt(typePos, "tensor '" + name + "' has unknown ggml type id " + typeId);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long bytes;
        try {
            bytes = type.bytesFor(elements);
        } catch (ArithmeticException e) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' byte size overflows");
        }
        long offsetPos = r.position();
        long offset = r.i64("tensor offset");
        return new TensorInfo(name, type, shape, bytes, offset, pos, offsetPos);
    }

    private static void checkNoOverlap(GgufReader r, List<TensorInfo> infos) {
        TensorInfo[] sorted = infos.toArray(new TensorInfo[0]);
        Arrays.sort(sorted, Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.length; i++) {
            TensorInfo prev = sorted[i - 1];
            TensorInfo cur = sorted[i];
            if (cur.offset < prev.offset + prev.bytes) {
                throw r.errorAt(cur.offsetPos, "tensor '" + cur.name + "' overlaps tensor '" + prev.name + "'");
            }
        }
    }

    static long alignUp(long v, long alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** GGUF version: 2 or 3. */
    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    public List<GgufTensor> tensors() {
        return tensors;
    }

    /** The tensor with this name, or null. */
    public GgufTensor tensorOrNull(String name) {
        return byName.get(name);
    }

    /** The tensor with this name. @throws IllegalArgumentException if there is none */
    public GgufTensor tensor(String name) {
        GgufTensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is missing");
        }
        return t;
    }

    /** Data alignment in bytes. */
    public int alignment() {
        return alignment;
    }

    /** Absolute file position of the data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** File size in bytes. */
    public long fileSize() {
        return mapping.byteSize();
    }

    /** The whole mapping (read-only). */
    public MemorySegment mapping() {
        return mapping;
    }

    /** Releases the mapping; tensor segments become inaccessible. */
    @Override
    public void close() {
        arena.close();
    }
}
