package dev.vireo.gguf;

import java.nio.file.Path;

/**
 * A file that is not valid GGUF (or safetensors): truncated, corrupt or inconsistent.
 * The message names the file, the byte offset where the problem was found and what is wrong.
 */
public final class GgufFormatException extends RuntimeException {
    private final transient Path file;
    private final long offset;

    public GgufFormatException(Path file, long offset, String problem) {
        super(file + ": at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** The file that failed to parse. */
    public Path file() {
        return file;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset() {
        return offset;
    }
}
