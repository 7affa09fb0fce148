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
 * A safetensors file (the format of Hugging Face checkpoints and PEFT adapters) mapped read-only.
 *
 * <p>Same approach and lifetime rules as {@link GgufFile}: the whole file is mapped once in a
 * shared arena, tensors are slices of the mapping (no copies), readable from any thread until
 * {@link #close()}, after which reading them throws {@link IllegalStateException}. The header is
 * validated first (JSON syntax, duplicate names, dtypes, shapes, offsets inside the file and
 * matching dtype x shape, no two tensors overlapping); any problem is a {@link
 * GgufFormatException} naming the file and the byte offset.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, String> metadata;
    private final List<SafetensorsTensor> tensors;
    private final Map<String, SafetensorsTensor> byName;
    private final long dataOffset;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, SafetensorsParser.Parsed parsed) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.metadata = parsed.metadata();
        this.tensors = Collections.unmodifiableList(parsed.tensors());
        Map<String, SafetensorsTensor> m = new LinkedHashMap<>();
        parsed.tensors().forEach(t -> m.put(t.name(), t));
        this.byName = Collections.unmodifiableMap(m);
        this.dataOffset = parsed.dataOffset();
    }

    /**
     * Maps and parses a safetensors file.
     *
     * @throws GgufFormatException if the file is not valid safetensors
     * @throws IOException if it cannot be read (missing, a directory, no permission)
     */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping = FileMapping.map(path, arena);
            return new SafetensorsFile(path, arena, mapping, SafetensorsParser.parse(path, mapping));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Parses bytes already in memory (tests and fuzzing); {@code name} labels errors only. */
    static SafetensorsFile parse(Path name, MemorySegment bytes) {
        return new SafetensorsFile(name, null, bytes, SafetensorsParser.parse(name, bytes));
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map (empty when absent), e.g. {@code format=pt}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensors in the order of their data in the file. */
    public List<SafetensorsTensor> tensors() {
        return tensors;
    }

    /** The tensor with this name, or null. */
    public SafetensorsTensor tensorOrNull(String name) {
        return byName.get(name);
    }

    /** The tensor with this name. @throws IllegalArgumentException if there is none */
    public SafetensorsTensor tensor(String name) {
        SafetensorsTensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is missing");
        }
        return t;
    }

    /** Absolute file position where the data (after the JSON header) starts. */
    public long dataOffset() {
        return dataOffset;
    }

    /** File size in bytes. */
    public long fileSize() {
        return mapping.byteSize();
    }

    /** Releases the mapping; tensor segments become inaccessible. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
