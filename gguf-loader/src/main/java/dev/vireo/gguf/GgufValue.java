package dev.vireo.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value as stored in GGUF, keeping its exact type so that it can be written back
 * unchanged.
 *
 * <p>Java representation of {@link #value()}: INT8/UINT8 {@code Byte}, INT16/UINT16 {@code
 * Short}, INT32/UINT32 {@code Integer}, INT64/UINT64 {@code Long} (unsigned types keep their bit
 * pattern), FLOAT32 {@code Float}, FLOAT64 {@code Double}, BOOL {@code Boolean}, STRING {@code
 * String}. An ARRAY holds a primitive array of its element type ({@code byte[] short[] int[]
 * long[] float[] double[] boolean[]}) or a {@code String[]}.
 *
 * @param type the value's type
 * @param elementType for arrays the element type, otherwise null
 * @param value the value (see above)
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("elementType is required for arrays only");
        }
        if (elementType == GgufValueType.ARRAY) {
            throw new IllegalArgumentException("nested arrays are not supported by GGUF readers");
        }
        Class<?> expected = javaClass(type == GgufValueType.ARRAY ? elementType : type, type == GgufValueType.ARRAY);
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + (elementType != null ? " of " + elementType : "")
                    + " needs a " + expected.getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
    }

    private static Class<?> javaClass(GgufValueType t, boolean array) {
        return switch (t) {
            case UINT8, INT8 -> array ? byte[].class : Byte.class;
            case UINT16, INT16 -> array ? short[].class : Short.class;
            case UINT32, INT32 -> array ? int[].class : Integer.class;
            case UINT64, INT64 -> array ? long[].class : Long.class;
            case FLOAT32 -> array ? float[].class : Float.class;
            case FLOAT64 -> array ? double[].class : Double.class;
            case BOOL -> array ? boolean[].class : Boolean.class;
            case STRING -> array ? String[].class : String.class;
            case ARRAY -> throw new IllegalArgumentException("nested arrays are not supported");
        };
    }

    public static GgufValue ofString(String s) { return new GgufValue(GgufValueType.STRING, null, s); }
    public static GgufValue ofUInt32(int v) { return new GgufValue(GgufValueType.UINT32, null, v); }
    public static GgufValue ofInt32(int v) { return new GgufValue(GgufValueType.INT32, null, v); }
    public static GgufValue ofUInt64(long v) { return new GgufValue(GgufValueType.UINT64, null, v); }
    public static GgufValue ofFloat32(float v) { return new GgufValue(GgufValueType.FLOAT32, null, v); }
    public static GgufValue ofBool(boolean v) { return new GgufValue(GgufValueType.BOOL, null, v); }
    public static GgufValue ofStrings(String... v) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, v); }
    public static GgufValue ofFloats(float... v) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, v); }
    public static GgufValue ofInts(int... v) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, v); }

    /** Number of elements of an array value; 1 for a scalar. */
    public int count() {
        return switch (value) {
            case byte[] a -> a.length;
            case short[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case String[] a -> a.length;
            default -> 1;
        };
    }

    /** An integer scalar as a long, unsigned types read as unsigned (UINT64 above 2^63 stays negative). */
    long integerValue() {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) value);
            case UINT16 -> Short.toUnsignedLong((Short) value);
            case UINT32 -> Integer.toUnsignedLong((Integer) value);
            case INT8, INT16, INT32, INT64, UINT64 -> ((Number) value).longValue();
            default -> throw new IllegalStateException(type + " is not an integer");
        };
    }

    /** Element i of an integer or bool array as a long (unsigned types read as unsigned). */
    long integerElement(int i) {
        return switch (value) {
            case byte[] a -> elementType == GgufValueType.UINT8 ? Byte.toUnsignedLong(a[i]) : a[i];
            case short[] a -> elementType == GgufValueType.UINT16 ? Short.toUnsignedLong(a[i]) : a[i];
            case int[] a -> elementType == GgufValueType.UINT32 ? Integer.toUnsignedLong(a[i]) : a[i];
            case long[] a -> a[i];
            case boolean[] a -> a[i] ? 1 : 0;
            default -> throw new IllegalStateException(elementType + " array is not integer");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue(GgufValueType t, GgufValueType e, Object v)
                && t == type && e == elementType && Objects.deepEquals(v, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        return switch (value) {
            case String s -> s;
            case String[] a -> Arrays.toString(a);
            case byte[] a -> Arrays.toString(a);
            case short[] a -> Arrays.toString(a);
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            default -> type == GgufValueType.UINT64 ? Long.toUnsignedString((Long) value)
                    : type.isInteger() ? Long.toString(integerValue()) : value.toString();
        };
    }
}
