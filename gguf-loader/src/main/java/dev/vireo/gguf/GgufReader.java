package dev.vireo.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian cursor over the mapped file. Every read checks that the bytes
 * exist before touching them, so a truncated or hostile file ends in a {@link
 * GgufFormatException} naming the offset, never in an out-of-bounds access.
 */
final class GgufReader {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest string accepted (llama.cpp's limit is 1 GiB; a Java String holds less). */
    static final long MAX_STRING = 1L << 30;

    private final Path file;
    private final MemorySegment seg;
    private final long size;
    private long pos;
    /** One strict decoder per file: vocabularies hold 10^5 strings. */
    private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    GgufReader(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    long position() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    GgufFormatException error(String problem) {
        return new GgufFormatException(file, pos, problem);
    }

    GgufFormatException errorAt(long offset, String problem) {
        return new GgufFormatException(file, offset, problem);
    }

    private void need(long n, String what) {
        if (n < 0 || n > size - pos) {
            throw error("file ends inside " + what + " (needs " + n + " bytes, " + (size - pos) + " left)");
        }
    }

    byte i8(String what) {
        need(1, what);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    short i16(String what) {
        need(2, what);
        short v = seg.get(SHORT, pos);
        pos += 2;
        return v;
    }

    int i32(String what) {
        need(4, what);
        int v = seg.get(INT, pos);
        pos += 4;
        return v;
    }

    long i64(String what) {
        need(8, what);
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    float f32(String what) {
        need(4, what);
        float v = seg.get(FLOAT, pos);
        pos += 4;
        return v;
    }

    double f64(String what) {
        need(8, what);
        double v = seg.get(DOUBLE, pos);
        pos += 8;
        return v;
    }

    /** A u64-length-prefixed UTF-8 string. Invalid UTF-8 is an error, not a replacement. */
    String string(String what) {
        return string(what, MAX_STRING);
    }

    /** A string of at most {@code maxBytes} bytes; the length is checked before anything is read. */
    String string(String what, long maxBytes) {
        long start = pos;
        long len = i64(what + " length");
        if (len < 0 || len > maxBytes) {
            throw errorAt(start, what + " length " + Long.toUnsignedString(len) + " is out of range (at most "
                    + maxBytes + " bytes)");
        }
        if (len > size - pos) {
            throw errorAt(start, what + " of " + len + " bytes runs past the end of the file (" + (size - pos)
                    + " bytes left)");
        }
        if (len == 0) {
            return "";
        }
        java.nio.ByteBuffer bytes = seg.asSlice(pos, len).asByteBuffer();
        pos += len;
        try {
            return utf8.reset().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw errorAt(start, what + " is not valid UTF-8");
        }
    }

    /** A name cut to a length that keeps error messages on one readable line. */
    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
