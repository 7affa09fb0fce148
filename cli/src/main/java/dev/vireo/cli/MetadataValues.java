package dev.vireo.cli;

import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufValueType;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

/** Metadata values as a report shows them: unsigned integers as unsigned, long arrays summarised. */
final class MetadataValues {
    /** Arrays longer than this are summarised as count + first items. */
    static final int MAX_ARRAY_SHOWN = 16;
    /** How many items a summary shows. */
    static final int SUMMARY_ITEMS = 8;
    /** Strings longer than this (chat templates) are cut in the text report. */
    static final int MAX_TEXT_CHARS = 80;

    private MetadataValues() {}

    /** A scalar as a Java value with the right sign: Long, Double, Boolean or String. */
    static Object scalar(GgufValueType type, Object v) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) v);
            case UINT16 -> Short.toUnsignedLong((Short) v);
            case UINT32 -> Integer.toUnsignedLong((Integer) v);
            case UINT64 -> (Long) v < 0 ? new java.math.BigInteger(Long.toUnsignedString((Long) v)) : v;
            case INT8, INT16, INT32, INT64 -> ((Number) v).longValue();
            // Via the float's shortest text, so 1e-5f shows as 1.0E-5 and not 9.999999747378752E-6.
            case FLOAT32 -> Double.parseDouble(Float.toString((Float) v));
            case FLOAT64, BOOL, STRING -> v;
            case ARRAY -> throw new IllegalArgumentException("not a scalar");
        };
    }

    /** Element i of an array value, converted as {@link #scalar}. */
    static Object element(GgufValue v, int i) {
        return scalar(v.elementType(), Array.get(v.value(), i));
    }

    /** The first {@code n} elements (or all when shorter). */
    static List<Object> firstElements(GgufValue v, int n) {
        int count = Math.min(n, v.count());
        List<Object> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(element(v, i));
        }
        return out;
    }

    /** The type as shown in reports: "u32", "str", "arr[str,512]". */
    static String typeName(GgufValue v) {
        if (v.type() == GgufValueType.ARRAY) {
            return "arr[" + shortName(v.elementType()) + "," + v.count() + "]";
        }
        return shortName(v.type());
    }

    private static String shortName(GgufValueType t) {
        return switch (t) {
            case UINT8 -> "u8";
            case INT8 -> "i8";
            case UINT16 -> "u16";
            case INT16 -> "i16";
            case UINT32 -> "u32";
            case INT32 -> "i32";
            case UINT64 -> "u64";
            case INT64 -> "i64";
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case BOOL -> "bool";
            case STRING -> "str";
            case ARRAY -> "arr";
        };
    }

    /** One-line text: scalars as they are, strings quoted and cut, long arrays as count + first items. */
    static String text(GgufValue v) {
        if (v.type() != GgufValueType.ARRAY) {
            Object s = scalar(v.type(), v.value());
            return s instanceof String str ? quote(str, MAX_TEXT_CHARS) : String.valueOf(s);
        }
        int count = v.count();
        boolean summarised = count > MAX_ARRAY_SHOWN;
        StringBuilder sb = new StringBuilder("[");
        List<Object> items = firstElements(v, summarised ? SUMMARY_ITEMS : count);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object o = items.get(i);
            sb.append(o instanceof String s ? quote(s, 24) : String.valueOf(o));
        }
        if (summarised) {
            sb.append(", ... (").append(count).append(" items)");
        }
        return sb.append(']').toString();
    }

    /** A Java-style quoted string with control characters escaped, cut after {@code max} chars. */
    static String quote(String s, int max) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        if (s.length() > max) {
            sb.append("... (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}
