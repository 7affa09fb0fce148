package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader reads back unchanged. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    /** One value of every GGUF type, scalars and arrays, with edge values. */
    static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.ofString("llama"));
        m.put("t.u8", new GgufValue(GgufValueType.UINT8, null, (byte) 0xFE));
        m.put("t.i8", new GgufValue(GgufValueType.INT8, null, (byte) -7));
        m.put("t.u16", new GgufValue(GgufValueType.UINT16, null, (short) 0xFFFF));
        m.put("t.i16", new GgufValue(GgufValueType.INT16, null, (short) -12345));
        m.put("t.u32", GgufValue.ofUInt32(0xFFFFFFF0));
        m.put("t.i32", GgufValue.ofInt32(Integer.MIN_VALUE));
        m.put("t.f32", GgufValue.ofFloat32(-1.25e-7f));
        m.put("t.bool.t", GgufValue.ofBool(true));
        m.put("t.bool.f", GgufValue.ofBool(false));
        m.put("t.str", GgufValue.ofString("héllo ▁wörld \u0000 🦜"));
        m.put("t.str.empty", GgufValue.ofString(""));
        m.put("t.u64", GgufValue.ofUInt64(-2L));
        m.put("t.i64", new GgufValue(GgufValueType.INT64, null, Long.MIN_VALUE));
        m.put("t.f64", new GgufValue(GgufValueType.FLOAT64, null, Math.PI));
        m.put("a.u8", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}));
        m.put("a.i8", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT8, new byte[] {-128, 127}));
        m.put("a.u16", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT16, new short[] {1, (short) 65535}));
        m.put("a.i16", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT16, new short[] {-1, 300}));
        m.put("a.u32", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT32, new int[] {-1, 5}));
        m.put("a.i32", GgufValue.ofInts(1, -2, 3));
        m.put("a.f32", GgufValue.ofFloats(0.5f, Float.NaN, Float.NEGATIVE_INFINITY, -0f));
        m.put("a.bool", new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, new boolean[] {true, false, true}));
        m.put("a.str", GgufValue.ofStrings("<s>", "", "▁the", "\n", "日本"));
        m.put("a.u64", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT64, new long[] {Long.MAX_VALUE, -1}));
        m.put("a.i64", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT64, new long[] {Long.MIN_VALUE}));
        m.put("a.f64", new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, new double[] {1e300, -0.0}));
        m.put("a.empty", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new int[0]));
        return m;
    }

    private record Spec(String name, GgmlType type, long[] shape) {}

    private static final List<Spec> TENSORS = List.of(
            new Spec("f32.vector", GgmlType.F32, new long[] {7}),
            new Spec("f16.matrix", GgmlType.F16, new long[] {5, 3}),
            new Spec("bf16.3d", GgmlType.BF16, new long[] {2, 3, 4}),
            new Spec("q8_0.matrix", GgmlType.Q8_0, new long[] {64, 3}),
            new Spec("q4_k.4d", GgmlType.Q4_K, new long[] {256, 2, 1, 2}),
            new Spec("q6_k.matrix", GgmlType.Q6_K, new long[] {512, 1}),
            new Spec("i32.vector", GgmlType.I32, new long[] {3}),
            new Spec("iq4_nl.matrix", GgmlType.IQ4_NL, new long[] {32, 5}));

    private static GgufWriter build(Map<String, GgufValue> metadata, Map<String, byte[]> data) {
        GgufWriter w = new GgufWriter();
        metadata.forEach(w::addMetadata);
        for (Spec s : TENSORS) {
            w.addTensor(s.name, s.type, s.shape, data.get(s.name));
        }
        return w;
    }

    private static Map<String, byte[]> randomData(long seed) {
        Random rnd = new Random(seed);
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Spec s : TENSORS) {
            long n = 1;
            for (long d : s.shape) {
                n *= d;
            }
            byte[] b = new byte[(int) s.type.bytesFor(n)];
            rnd.nextBytes(b);
            data.put(s.name, b);
        }
        return data;
    }

    private void assertReadsBack(Path p, Map<String, GgufValue> metadata, Map<String, byte[]> data, int alignment)
            throws IOException {
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(alignment, f.alignment());
            assertEquals(new ArrayList<>(metadata.keySet()), new ArrayList<>(f.metadata().keys()));
            metadata.forEach((k, v) -> assertEquals(v, f.metadata().asMap().get(k), k));
            assertEquals(TENSORS.size(), f.tensors().size());
            for (int i = 0; i < TENSORS.size(); i++) {
                Spec s = TENSORS.get(i);
                GgufTensor t = f.tensors().get(i);
                assertEquals(s.name, t.name());
                assertEquals(s.type, t.type());
                assertArrayEquals(s.shape, t.shape());
                assertEquals(0, t.fileOffset() % alignment, s.name);
                assertEquals(-1, t.data().mismatch(MemorySegment.ofArray(data.get(s.name))), s.name);
            }
            assertEquals(0, f.fileSize() % alignment, "trailing padding");
        }
    }

    @Test
    void everyValueTypeAndSeveralTensorTypesReadBackEqual() throws IOException {
        Map<String, GgufValue> metadata = everyValueType();
        Map<String, byte[]> data = randomData(1);
        Path p = dir.resolve("all.gguf");
        build(metadata, data).write(p);
        assertReadsBack(p, metadata, data, 32);
    }

    @Test
    void generalAlignmentIsHonoured() throws IOException {
        Map<String, GgufValue> metadata = everyValueType();
        metadata.put(GgufFile.ALIGNMENT_KEY, GgufValue.ofUInt32(256));
        Map<String, byte[]> data = randomData(2);
        Path p = dir.resolve("aligned.gguf");
        build(metadata, data).write(p);
        assertReadsBack(p, metadata, data, 256);
    }

    @Test
    void writingTwiceGivesIdenticalBytes() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        GgufWriter w = build(everyValueType(), randomData(3));
        w.write(a);
        w.write(b);
        build(everyValueType(), randomData(3)).write(c);
        byte[] first = Files.readAllBytes(a);
        assertArrayEquals(first, Files.readAllBytes(b));
        assertArrayEquals(first, Files.readAllBytes(c));
    }

    @Test
    void callbackSourcesStreamTheirBytes() throws IOException {
        // 4096 x 300 F32 = 4.9 MB written in row-sized pieces, never held as one array.
        long cols = 4096;
        long rows = 300;
        Path p = dir.resolve("streamed.gguf");
        new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString("test"))
                .addTensor("big", GgmlType.F32, new long[] {cols, rows}, out -> {
                    java.nio.ByteBuffer row = java.nio.ByteBuffer.allocate((int) cols * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (int r = 0; r < rows; r++) {
                        row.clear();
                        for (int c = 0; c < cols; c++) {
                            row.putFloat(r * 10000f + c);
                        }
                        out.write(row.array());
                    }
                })
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            GgufTensor t = f.tensor("big");
            assertEquals(cols * rows * 4, t.byteSize());
            assertEquals(0f, t.data().get(GgufReader.FLOAT, 0));
            assertEquals(299 * 10000f + 4095, t.data().get(GgufReader.FLOAT, t.byteSize() - 4));
            assertEquals(17 * 10000f + 33, t.data().get(GgufReader.FLOAT, (17 * cols + 33) * 4));
        }
    }

    @Test
    void rewritingStories260KKeepsMetadataAndTensorBytes() throws IOException {
        Path original = Shared.file("models/stories260K.gguf");
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(original)) {
            GgufWriter w = new GgufWriter().addMetadata(f.metadata());
            f.tensors().forEach(w::addTensor);
            w.write(copy);
            try (GgufFile g = GgufFile.open(copy)) {
                assertEquals(f.metadata().asMap(), g.metadata().asMap());
                assertEquals(new ArrayList<>(f.metadata().keys()), new ArrayList<>(g.metadata().keys()));
                assertEquals(f.tensors().size(), g.tensors().size());
                for (int i = 0; i < f.tensors().size(); i++) {
                    GgufTensor a = f.tensors().get(i);
                    GgufTensor b = g.tensors().get(i);
                    assertEquals(a.name(), b.name());
                    assertEquals(a.type(), b.type());
                    assertArrayEquals(a.shape(), b.shape());
                    assertEquals(-1, a.data().mismatch(b.data()), a.name());
                }
            }
        }
        // llama.cpp's writer lays files out the same way, so the copy is the original byte for byte.
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));
    }
}
