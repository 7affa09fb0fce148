package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsFileTest {
    private static final String PEFT = "models/synthetic/peft/stories260K-lora-r4/adapter_model.safetensors";

    @TempDir
    Path dir;

    /** 8-byte little-endian length + JSON header + data, the way safetensors lays a file out. */
    static byte[] file(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    @Test
    void peftAdapterLoadsWithItsTensorNamesAndShapes() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.file(PEFT))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            // 5 layers x 7 target modules (q,k,v,o,gate,up,down) x lora_A/lora_B
            assertEquals(70, f.tensors().size());
            Set<String> modules = new TreeSet<>();
            for (SafetensorsTensor t : f.tensors()) {
                assertEquals(SafetensorsDType.F32, t.dtype());
                assertTrue(t.name().startsWith("base_model.model.model.layers."), t.name());
                modules.add(t.name().replaceAll(".*\\.(\\w+_proj)\\..*", "$1"));
                assertEquals(2, t.shape().length);
                assertEquals(t.elementCount() * 4, t.byteSize());
            }
            assertEquals(Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), modules);
            String p = "base_model.model.model.layers.0.";
            assertArrayEquals(new long[] {4, 64}, f.tensor(p + "self_attn.q_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {64, 4}, f.tensor(p + "self_attn.q_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {32, 4}, f.tensor(p + "self_attn.k_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {172, 4}, f.tensor(p + "mlp.gate_proj.lora_B.weight").shape());
            assertArrayEquals(new long[] {4, 172}, f.tensor(p + "mlp.down_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {64, 4}, f.tensor(p + "self_attn.q_proj.lora_A.weight").ggmlShape());
            // The header says 8672 bytes; the first tensor's data starts right after it.
            assertEquals(8 + 8672, f.dataOffset());
            assertEquals(8 + 8672, f.tensor(p + "self_attn.q_proj.lora_A.weight").fileOffset());
            assertEquals(f.fileSize(), f.tensors().getLast().fileOffset() + f.tensors().getLast().byteSize());
        }
    }

    @Test
    void readsF32F16AndBf16Values() {
        ByteBuffer d = ByteBuffer.allocate(12 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        d.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-4f));
        d.putShort((short) (Float.floatToRawIntBits(1f) >>> 16)).putShort((short) (Float.floatToRawIntBits(-0.75f) >>> 16));
        String json = """
                {"__metadata__":{"format":"pt","k":"v"},
                 "h":{"dtype":"F16","shape":[2],"data_offsets":[12,16]},
                 "f":{"dtype":"F32","shape":[1,3],"data_offsets":[0,12]},
                 "b":{"dtype":"BF16","shape":[2,1],"data_offsets":[16,20]}}""";
        SafetensorsFile f = SafetensorsFile.parse(Path.of("t.safetensors"), MemorySegment.ofArray(file(json, d.array())));
        assertEquals(Map.of("format", "pt", "k", "v"), f.metadata());
        assertEquals("f", f.tensors().get(0).name()); // data order, not header order
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, f.tensor("f").toFloats());
        assertArrayEquals(new float[] {0.5f, -4f}, f.tensor("h").toFloats());
        assertArrayEquals(new float[] {1f, -0.75f}, f.tensor("b").toFloats());
        assertEquals(GgmlType.BF16, f.tensor("b").dtype().ggmlType());
    }

    @Test
    void otherDtypesLoadButAreReportedWhenUsed() {
        String json = "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"p\":{\"dtype\":\"F4\",\"shape\":[2,3],\"data_offsets\":[4,7]}}";
        SafetensorsFile f = SafetensorsFile.parse(Path.of("t.safetensors"), MemorySegment.ofArray(file(json, new byte[7])));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> f.tensor("q").toFloats());
        assertTrue(e.getMessage().contains("F8_E4M3"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> f.tensor("p").dtype().ggmlType());
        assertTrue(e.getMessage().contains("F4"), e.getMessage());
        assertEquals(3, f.tensor("p").byteSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[]",
        "{\"a\":1}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}",                 // unterminated
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} x",              // trailing garbage
        "{\"a\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}",                // unknown dtype
        "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}",                                   // no dtype
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",               // negative dim
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}",              // fractional dim
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}",               // size != dtype x shape
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",                // end before begin
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",                  // one offset
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",               // past the end of the file
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",         // overlap
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",         // duplicate name
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", // overflow
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551616]}}",  // > 2^64
        "{\"__metadata__\":{\"format\":1}}",
        "{\"__metadata__\":[\"pt\"]}",
    })
    void malformedHeadersAreRejected(String json) {
        byte[] bytes = file(json, new byte[8]);
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> SafetensorsFile.parse(Path.of("bad.safetensors"), MemorySegment.ofArray(bytes)));
        assertTrue(e.getMessage().startsWith("bad.safetensors: at byte "), e.getMessage());
        assertTrue(e.offset() >= 8 && e.offset() < bytes.length, e.getMessage());
    }

    @Test
    void impossibleHeaderLengthsAndShortFilesAreRejected() throws IOException {
        for (long n : new long[] {0, 1, 1L << 60, -1, 1L << 40}) {
            byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put("{}      ".getBytes(StandardCharsets.UTF_8)).array();
            GgufFormatException e = assertThrows(GgufFormatException.class,
                    () -> SafetensorsFile.parse(Path.of("x"), MemorySegment.ofArray(b)));
            assertEquals(0, e.offset());
        }
        Path empty = Files.write(dir.resolve("empty.safetensors"), new byte[0]);
        assertThrows(GgufFormatException.class, () -> SafetensorsFile.open(empty));
        assertThrows(IOException.class, () -> SafetensorsFile.open(dir));
        try (SafetensorsFile f = SafetensorsFile.open(Files.write(dir.resolve("e.safetensors"), file("{}", new byte[0])))) {
            assertEquals(0, f.tensors().size());
        }
    }

    @Test
    void everyTruncationOfThePeftFileIsAFormatError() throws IOException {
        byte[] all = Files.readAllBytes(Shared.file(PEFT));
        for (int len = 0; len < all.length; len += len < 9000 ? 1 : 97) {
            int n = len;
            byte[] prefix = java.util.Arrays.copyOf(all, n);
            assertThrows(GgufFormatException.class,
                    () -> SafetensorsFile.parse(Path.of("cut"), MemorySegment.ofArray(prefix)), "prefix " + n);
        }
    }

    @Test
    void tensorsAreUnreadableAfterClose() throws IOException {
        SafetensorsFile f = SafetensorsFile.open(Shared.file(PEFT));
        SafetensorsTensor t = f.tensors().getFirst();
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, t::toFloats);
    }
}
