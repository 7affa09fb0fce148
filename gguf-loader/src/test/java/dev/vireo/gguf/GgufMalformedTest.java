package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Broken and hostile GGUF input gives a {@link GgufFormatException} naming the file and the byte
 * offset of the problem, and never anything else (no OutOfMemoryError, NegativeArraySize,
 * IndexOutOfBounds...). Most cases patch one field of the 288-byte example of GGUF.md 2.6, whose
 * field offsets the document lists.
 */
class GgufMalformedTest {
    private static final Path NAME = Path.of("bad.gguf");

    @TempDir
    Path dir;

    private static GgufFormatException rejected(byte[] bytes) {
        try {
            GgufFile.parse(NAME, MemorySegment.ofArray(bytes));
        } catch (GgufFormatException e) {
            assertTrue(e.getMessage().startsWith("bad.gguf: at byte " + e.offset() + ": "), e.getMessage());
            assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
            assertTrue(e.getMessage().indexOf('\n') < 0, "one line: " + e.getMessage());
            return e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("expected GgufFormatException, got " + e, e);
        }
        return fail("accepted a malformed file");
    }

    /** Parses, accepting success or GgufFormatException and nothing else. */
    private static void parsesOrRejects(byte[] bytes, String what) {
        try {
            GgufFile.parse(NAME, MemorySegment.ofArray(bytes));
        } catch (GgufFormatException expected) {
            // fine
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": expected GgufFormatException, got " + e, e);
        }
    }

    private static byte[] example(Consumer<ByteBuffer> patch) {
        ByteBuffer b = ByteBuffer.wrap(WorkedExample.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        patch.accept(b);
        return b.array();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // what,                         field offset, width, value,                 offset named in the error
        "n_tensors 2^62,                 0x08, 8, 4611686018427387904, 0x08",
        "n_tensors -1,                   0x08, 8, -1,                  0x08",
        "n_kv 2^62,                      0x10, 8, 4611686018427387904, 0x10",
        "n_kv -1,                        0x10, 8, -1,                  0x10",
        "key length 2^60,                0x18, 8, 1152921504606846976, 0x18",
        "key length 2^63,                0x18, 8, -9223372036854775808, 0x18",
        "empty key,                      0x18, 8, 0,                   0x18",
        "string value length 2^60,       0x38, 8, 1152921504606846976, 0x38",
        "string value length 300,        0x38, 8, 300,                 0x38",
        "value type 13,                  0x5e, 4, 13,                  0x5e",
        "value type -1,                  0x5e, 4, -1,                  0x5e",
        "nested array,                   0x77, 4, 9,                   0x77",
        "array element type 13,          0x77, 4, 13,                  0x77",
        "array length 2^60,              0x7b, 8, 1152921504606846976, 0x7b",
        "array length 2^31,              0x7b, 8, 2147483648,          0x7b",
        "tensor name length 2^60,        0x8b, 8, 1152921504606846976, 0x8b",
        "tensor name length 64,          0x8b, 8, 64,                  0x8b",
        "n_dims 5,                       0x94, 4, 5,                   0x94",
        "n_dims -1,                      0x94, 4, -1,                  0x94",
        "zero dimension,                 0x98, 8, 0,                   0x98",
        "negative dimension,             0xa0, 8, -2,                  0xa0",
        "element count overflow,         0x98, 8, 4611686018427387904, 0xa0",
        "removed type id 4,              0xa8, 4, 4,                   0xa8",
        "removed type id 36,             0xa8, 4, 36,                  0xa8",
        "unknown type id 43,             0xa8, 4, 43,                  0xa8",
        "negative type id,               0xa8, 4, -1,                  0xa8",
        "row not whole Q8_0 blocks,      0xa8, 4, 8,                   0x94",
        "offset past the end,            0xcd, 8, 64,                  0xcd",
        "offset 2^62,                    0xcd, 8, 4611686018427387904, 0xcd",
        "negative offset,                0xcd, 8, -32,                 0xcd",
        "misaligned offset,              0xcd, 8, 40,                  0xcd",
        "overlapping tensors,            0xcd, 8, 0,                   0xcd",
        "duplicate tensor name,          0xbc, 1, 119,                 0xb4",
        "bad magic,                      0x00, 1, 0x48,                0x00",
        "version 1,                      0x04, 4, 1,                   0x04",
        "version 4,                      0x04, 4, 4,                   0x04",
        "version 0,                      0x04, 4, 0,                   0x04",
        "byte-swapped version 3,         0x04, 4, 50331648,            0x04",
        "invalid UTF-8 in a string,      0x40, 1, 0xff,                0x38",
    })
    void patchedFieldsAreRejectedAtTheirOffset(String what, String field, int width, String value, String errorAt) {
        int at = Integer.decode(field.trim());
        long v = value.trim().startsWith("0x") ? Long.decode(value.trim()) : Long.parseLong(value.trim());
        byte[] bytes = example(b -> {
            switch (width) {
                case 1 -> b.put(at, (byte) v);
                case 4 -> b.putInt(at, (int) v);
                case 8 -> b.putLong(at, v);
                default -> throw new IllegalArgumentException("width " + width);
            }
        });
        GgufFormatException e = rejected(bytes);
        assertEquals((long) Integer.decode(errorAt.trim()), e.offset(), what + ": " + e.getMessage());
    }

    @Test
    void elementCountThatOverflowsTheByteSizeIsRejected() {
        // F32 [2^61, 2]: 2^62 elements fit in a long, their 2^64 bytes do not.
        GgufFormatException e = rejected(example(b -> b.putLong(0x98, 1L << 61)));
        assertEquals(0x94, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
    }

    /** Handcrafted header: magic, version 3, counts; the caller appends the rest. */
    private static GgufEncoder header(long tensors, long kvs) {
        GgufEncoder e = new GgufEncoder();
        e.u32(GgufFile.MAGIC);
        e.u32(3);
        e.u64(tensors);
        e.u64(kvs);
        return e;
    }

    @Test
    void duplicateKeysAreRejected() {
        GgufEncoder e = header(0, 2);
        e.string("a.b");
        e.value(GgufValue.ofUInt32(1));
        e.string("a.b");
        e.value(GgufValue.ofUInt32(2));
        assertEquals(24 + 8 + 3 + 4 + 4, rejected(e.toByteArray()).offset());
    }

    @ParameterizedTest
    @CsvSource({"INT32, 64", "UINT32, 48", "UINT32, 0", "UINT32, -2147483648"})
    void alignmentMustBeAUint32PowerOfTwo(GgufValueType type, int value) {
        GgufEncoder e = header(0, 1);
        e.string(GgufFile.ALIGNMENT_KEY);
        e.value(new GgufValue(type, null, value));
        GgufFormatException ex = rejected(e.toByteArray());
        assertEquals(24, ex.offset());
        assertTrue(ex.getMessage().contains(GgufFile.ALIGNMENT_KEY), ex.getMessage());
    }

    @Test
    void zeroDimensionsReadAsAScalar() {
        GgufEncoder e = header(1, 0);
        e.string("s");
        e.u32(0);
        e.u32(GgmlType.F32.id());
        e.u64(0);
        e.zeros(GgufFile.alignUp(e.size(), 32) - e.size() + 4);
        GgufFile f = GgufFile.parse(NAME, MemorySegment.ofArray(e.toByteArray()));
        assertArrayEquals(new long[] {1}, f.tensor("s").shape());
        assertEquals(4, f.tensor("s").byteSize());
    }

    @Test
    void fileTruncatedAfterTheTensorInfosIsRejected() {
        byte[] full = WorkedExample.bytes();
        for (int len : new int[] {0xd5, 0xd6, 0xdf, 0xe0, 0xe1, 0xf7}) {
            GgufFormatException e = rejected(java.util.Arrays.copyOf(full, len));
            assertTrue(e.offset() >= 0xac, e.getMessage()); // w's or b's offset field, or the end of the infos
        }
        // Trailing padding after the last tensor is not required (llama.cpp does not need it).
        GgufFile f = GgufFile.parse(NAME, MemorySegment.ofArray(java.util.Arrays.copyOf(full, 0x102)));
        assertEquals(2, f.tensors().size());
    }

    @Test
    void everyPrefixOfTheWorkedExampleIsHandled() {
        byte[] full = WorkedExample.bytes();
        for (int len = 0; len < full.length; len++) {
            byte[] prefix = java.util.Arrays.copyOf(full, len);
            if (len < 0x102) {
                rejected(prefix);
            } else {
                assertEquals(2, GgufFile.parse(NAME, MemorySegment.ofArray(prefix)).tensors().size());
            }
        }
    }

    @Test
    void everyPrefixOfStories260KUpToItsDataSectionIsRejected() throws IOException {
        byte[] full = Files.readAllBytes(Shared.file("models/stories260K.gguf"));
        MemorySegment all = MemorySegment.ofArray(full);
        GgufFile whole = GgufFile.parse(NAME, all);
        long dataEnd = 0;
        for (GgufTensor t : whole.tensors()) {
            dataEnd = Math.max(dataEnd, t.fileOffset() + t.byteSize());
        }
        assertTrue(whole.dataOffset() > 10_000, "header of " + whole.dataOffset() + " bytes");
        for (long len = 0; len <= whole.dataOffset(); len++) {
            long n = len;
            GgufFormatException e = assertThrows(GgufFormatException.class,
                    () -> GgufFile.parse(NAME, all.asSlice(0, n)), "prefix " + n);
            assertTrue(e.offset() <= n, e.getMessage());
        }
        // Into the data section: every cut before the end of the last tensor is caught too.
        for (long len = whole.dataOffset(); len < full.length; len += 4093) {
            long n = len;
            if (n < dataEnd) {
                assertThrows(GgufFormatException.class, () -> GgufFile.parse(NAME, all.asSlice(0, n)), "prefix " + n);
            }
        }
    }

    @Test
    void randomlyCorruptedExamplesParseOrFailCleanly() {
        byte[] base = WorkedExample.bytes();
        for (int seed = 0; seed < 10_000; seed++) {
            Random rnd = new Random(seed);
            byte[] b = base.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = rnd.nextInt(0xe0);
                b[at] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                    case 1 -> (byte) rnd.nextInt(256);
                    default -> (byte) 0xff;
                };
            }
            parsesOrRejects(b, "seed " + seed);
        }
    }

    @Test
    void randomlyCorruptedStories260KHeadersParseOrFailCleanly() throws IOException {
        byte[] base = Files.readAllBytes(Shared.file("models/stories260K.gguf"));
        int header = (int) GgufFile.parse(NAME, MemorySegment.ofArray(base)).dataOffset();
        // The big arrays (tokens, scores) sit in the first KB; lengths and counts are the fields that matter.
        for (int seed = 0; seed < 300; seed++) {
            Random rnd = new Random(seed);
            byte[] b = base.clone();
            for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                int at = rnd.nextInt(2) == 0 ? rnd.nextInt(64) : rnd.nextInt(header);
                b[at] = (byte) rnd.nextInt(256);
            }
            parsesOrRejects(b, "seed " + seed);
        }
    }

    @Test
    void filesystemCasesGiveFormatOrIoErrors() throws IOException {
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(empty));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().startsWith(empty + ": at byte 0: "), e.getMessage());
        assertThrows(IOException.class, () -> GgufFile.open(dir));
        assertThrows(NoSuchFileException.class, () -> GgufFile.open(dir.resolve("missing.gguf")));
        Path notGguf = Files.writeString(dir.resolve("config.json"), "{\"hello\": \"world\", \"n\": 12345678901234}");
        assertTrue(assertThrows(GgufFormatException.class, () -> GgufFile.open(notGguf)).getMessage().contains("not a GGUF file"));
        byte[] stories = Files.readAllBytes(Shared.file("models/stories260K.gguf"));
        Path cut = Files.write(dir.resolve("cut.gguf"), java.util.Arrays.copyOf(stories, stories.length / 2));
        assertTrue(assertThrows(GgufFormatException.class, () -> GgufFile.open(cut)).getMessage().contains("outside the data section"));
    }

    @Test
    void tensorsAreUnreadableAfterClose() throws IOException {
        Path p = Files.write(dir.resolve("ex.gguf"), WorkedExample.bytes());
        GgufFile f = GgufFile.open(p);
        GgufTensor w = f.tensor("w");
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> w.data().get(GgufReader.FLOAT, 0));
    }
}
