package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesTheWorkedExampleOfTheSpecByteForByte() throws IOException {
        Path p = dir.resolve("example.gguf");
        WorkedExample.writer().write(p);
        byte[] expected = WorkedExample.bytes();
        assertEquals(288, expected.length);
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void readsTheWorkedExampleAsGgmlReportsIt() throws IOException {
        Path p = dir.resolve("example.gguf");
        Files.write(p, WorkedExample.bytes());
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(224, f.dataOffset());
            assertEquals("llama", f.metadata().getString("general.architecture"));
            assertEquals(1, f.metadata().getInt("llama.block_count"));
            assertArrayEquals(new int[] {1, 2}, f.metadata().getIntArray("t.arr"));
            GgufTensor w = f.tensor("w");
            assertArrayEquals(new long[] {3, 2}, w.shape());
            assertEquals(GgmlType.F32, w.type());
            assertEquals(224, w.fileOffset());
            assertEquals(24, w.byteSize());
            for (int i = 0; i < 6; i++) {
                assertEquals(i + 1, w.data().get(GgufReader.FLOAT, 4L * i));
            }
            GgufTensor b = f.tensor("b");
            assertArrayEquals(new long[] {1}, b.shape());
            assertEquals(GgmlType.F16, b.type());
            assertEquals(256, b.fileOffset());
            assertEquals(0.5f, Float.float16ToFloat(b.data().get(GgufReader.SHORT, 0)));
        }
    }

    @Test
    void sourceWritingTheWrongByteCountFailsAndLeavesNoFile() {
        Path p = dir.resolve("bad.gguf");
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, out -> out.write(new byte[12]));
        IOException e = assertThrows(IOException.class, () -> w.write(p));
        assertTrue(e.getMessage().contains("'t'"), e.getMessage());
        assertFalse(Files.exists(p));
        assertFalse(Files.exists(dir.resolve("bad.gguf.part")));
    }

    @Test
    void rejectsInvalidTensorsAndKeysWhenAdded() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[] {33}, out -> {}));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", GgmlType.F32, new long[] {0}, out -> {}));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, out -> {}));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {1}, out -> {}));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("n", GgmlType.F32, new long[] {2}, new byte[4]));
        w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> w.addMetadata("", GgufValue.ofBool(true)));
        w.addMetadata("k", GgufValue.ofBool(true));
        assertThrows(IllegalArgumentException.class, () -> w.addMetadata("k", GgufValue.ofBool(false)));
        assertThrows(IllegalArgumentException.class, () -> w.addMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofInt32(64)));
        assertThrows(IllegalArgumentException.class, () -> w.addMetadata(GgufFile.ALIGNMENT_KEY, GgufValue.ofUInt32(48)));
    }

    @Test
    void fileWithoutTensorsEndsAfterItsMetadataLikeVocabOnlyFiles() throws IOException {
        Path p = dir.resolve("vocab.gguf");
        new GgufWriter()
                .addMetadata("tokenizer.ggml.model", GgufValue.ofString("llama"))
                .addMetadata("tokenizer.ggml.tokens", GgufValue.ofStrings("<unk>", "<s>", "</s>"))
                .write(p);
        // 24 header + (8+20 key, 4 type, 8+5 value) + (8+21 key, 4 type, 4 elem type, 8 count, 3 strings)
        long expected = 24 + (8 + 20 + 4 + 8 + 5) + (8 + 21 + 4 + 4 + 8 + (8 + 5) + (8 + 3) + (8 + 4));
        assertEquals(expected, Files.size(p));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(0, f.tensors().size());
            assertEquals(expected, f.dataOffset());
            assertArrayEquals(new String[] {"<unk>", "<s>", "</s>"}, f.metadata().getStringArray("tokenizer.ggml.tokens"));
        }
    }
}
