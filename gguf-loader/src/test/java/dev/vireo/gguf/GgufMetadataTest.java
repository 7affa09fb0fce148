package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed access: the value when the type fits, a one-line error naming the key otherwise. */
class GgufMetadataTest {
    private final GgufMetadata m = new GgufMetadata(GgufRoundTripTest.everyValueType());

    @Test
    void integersOfEveryWidthReadAsTheirValue() {
        assertEquals(254, m.getInt("t.u8"));
        assertEquals(-7, m.getInt("t.i8"));
        assertEquals(65535, m.getInt("t.u16"));
        assertEquals(-12345, m.getInt("t.i16"));
        assertEquals(0xFFFFFFF0L, m.getLong("t.u32"));
        assertEquals(Integer.MIN_VALUE, m.getInt("t.i32"));
        assertEquals(Long.MIN_VALUE, m.getLong("t.i64"));
        assertArrayEquals(new int[] {0, 1, 255}, m.getIntArray("a.u8"));
        assertArrayEquals(new int[] {1, 65535}, m.getIntArray("a.u16"));
        assertArrayEquals(new int[] {1, 0, 1}, m.getIntArray("a.bool"));
        assertEquals(-1.25e-7f, m.getFloat("t.f32"));
        assertEquals((float) Math.PI, m.getFloat("t.f64"));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, -0f}, m.getFloatArray("a.f64"));
        assertEquals(true, m.getBool("t.bool.t"));
        assertEquals(7, m.getInt("missing", 7));
    }

    @Test
    void wrongTypesAndMissingKeysNameTheKey() {
        assertEquals("metadata key 'nope' is missing",
                assertThrows(GgufMetadata.MetadataException.class, () -> m.getString("nope")).getMessage());
        assertEquals("metadata key 't.u32' has type UINT32, expected STRING",
                assertThrows(GgufMetadata.MetadataException.class, () -> m.getString("t.u32")).getMessage());
        assertEquals("metadata key 't.u32' = 4294967280 does not fit in an int",
                assertThrows(GgufMetadata.MetadataException.class, () -> m.getInt("t.u32")).getMessage());
        assertEquals("metadata key 'a.str' has type array of STRING, expected array of integers",
                assertThrows(GgufMetadata.MetadataException.class, () -> m.getIntArray("a.str")).getMessage());
        assertThrows(GgufMetadata.MetadataException.class, () -> m.getFloat("t.str"));
        assertThrows(GgufMetadata.MetadataException.class, () -> m.getBool("t.u8"));
        assertThrows(GgufMetadata.MetadataException.class, () -> m.getStringArray("a.i32"));
        assertThrows(GgufMetadata.MetadataException.class, () -> m.getIntArray("a.u64"));
    }

    @Test
    void perLayerHyperparametersMayBeScalarOrArray() {
        GgufMetadata h = new GgufMetadata(Map.of(
                "ff", GgufValue.ofUInt32(172),
                "heads", GgufValue.ofInts(8, 8, 4)));
        assertArrayEquals(new int[] {172, 172, 172}, h.getIntOrArray("ff", 3));
        assertArrayEquals(new int[] {8, 8, 4}, h.getIntOrArray("heads", 3));
        assertThrows(GgufMetadata.MetadataException.class, () -> h.getIntOrArray("heads", 5));
    }
}
