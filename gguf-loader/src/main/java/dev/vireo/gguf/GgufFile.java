package dev.vireo.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
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
 * The file must not be truncated or rewritten in place while it is open: like any memory-mapped
 * file, pages that vanish underneath the mapping fault on access ({@link InternalError}).
 * {@link GgufWriter#write(Path)} replaces files by renaming, which is safe for open readers.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    /** Alignment of the data section when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** llama.cpp's GGML_MAX_NAME: tensor names are shorter than this (in bytes). */
    static final int MAX_NAME_BYTES = 64;
    static final int MAX_DIMS = 4;

    /** The metadata key that sets the data alignment (UINT32, a power of two). */
    public static final String ALIGNMENT_KEY = "general.alignment";

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> byName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufParser.Parsed parsed) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = parsed.version();
        this.metadata = parsed.metadata();
        this.tensors = Collections.unmodifiableList(parsed.tensors());
        Map<String, GgufTensor> m = new LinkedHashMap<>();
        for (GgufTensor t : parsed.tensors()) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.alignment = parsed.alignment();
        this.dataOffset = parsed.dataOffset();
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException if the file is not valid GGUF (the message names the file, the
     *     byte offset and the problem)
     * @throws IOException if it cannot be read (missing, a directory, no permission)
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping = FileMapping.map(path, arena);
            return new GgufFile(path, arena, mapping, GgufParser.parse(path, mapping));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses GGUF bytes that are already in memory (tests and fuzzing). {@code name} only labels
     * error messages; {@link #close()} does nothing for such a file.
     */
    static GgufFile parse(Path name, MemorySegment bytes) {
        return new GgufFile(name, null, bytes, GgufParser.parse(name, bytes));
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

    /** The key/value metadata, in file order. */
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

    /**
     * Releases the mapping; tensor segments become inaccessible (reading them afterwards throws
     * {@link IllegalStateException}). Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
