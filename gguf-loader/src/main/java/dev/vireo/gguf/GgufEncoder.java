package dev.vireo.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian encoding of the GGUF header, metadata values and tensor infos into memory. */
final class GgufEncoder {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);

    int size() {
        return buf.size();
    }

    byte[] toByteArray() {
        return buf.toByteArray();
    }

    void writeTo(OutputStream out) throws IOException {
        buf.writeTo(out);
    }

    void u8(int v) {
        buf.write(v);
    }

    void u16(int v) {
        buf.write(v);
        buf.write(v >>> 8);
    }

    void u32(int v) {
        u16(v);
        u16(v >>> 16);
    }

    void u64(long v) {
        u32((int) v);
        u32((int) (v >>> 32));
    }

    void zeros(long n) {
        for (long i = 0; i < n; i++) {
            buf.write(0);
        }
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        buf.write(b, 0, b.length);
    }

    /** Type id followed by the value (arrays: element type, count, elements without tags). */
    void value(GgufValue v) {
        u32(v.type().id());
        if (v.type() != GgufValueType.ARRAY) {
            scalar(v.type(), v.value());
            return;
        }
        u32(v.elementType().id());
        u64(v.count());
        switch (v.value()) {
            case byte[] a -> { for (byte x : a) u8(x); }
            case short[] a -> { for (short x : a) u16(x); }
            case int[] a -> { for (int x : a) u32(x); }
            case long[] a -> { for (long x : a) u64(x); }
            case float[] a -> { for (float x : a) u32(Float.floatToRawIntBits(x)); }
            case double[] a -> { for (double x : a) u64(Double.doubleToRawLongBits(x)); }
            case boolean[] a -> { for (boolean x : a) u8(x ? 1 : 0); }
            case String[] a -> { for (String x : a) string(x); }
            default -> throw new IllegalArgumentException("not an array value: " + v.value().getClass());
        }
    }

    private void scalar(GgufValueType type, Object value) {
        switch (type) {
            case UINT8, INT8 -> u8((Byte) value);
            case UINT16, INT16 -> u16((Short) value);
            case UINT32, INT32 -> u32((Integer) value);
            case UINT64, INT64 -> u64((Long) value);
            case FLOAT32 -> u32(Float.floatToRawIntBits((Float) value));
            case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) value));
            case BOOL -> u8((Boolean) value ? 1 : 0);
            case STRING -> string((String) value);
            case ARRAY -> throw new AssertionError("arrays are encoded by value()");
        }
    }
}
