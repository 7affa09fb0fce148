package dev.vireo.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Maps a whole file read-only into an arena; shared by the GGUF and safetensors readers. */
final class FileMapping {
    private FileMapping() {}

    /**
     * The file's bytes as a read-only segment owned by {@code arena}. An empty file gives an empty
     * heap segment (a zero-length mapping is not portable), so parsers report it like any short file.
     */
    static MemorySegment map(Path path, Arena arena) throws IOException {
        if (Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, "is a directory, not a model file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            return size == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }
}
