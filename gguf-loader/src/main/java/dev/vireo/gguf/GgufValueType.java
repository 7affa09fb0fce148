package dev.vireo.gguf;

/** The metadata value types of GGUF ({@code enum gguf_type}), with their ids. */
public enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1),
    STRING(-1), ARRAY(-1), UINT64(8), INT64(8), FLOAT64(8);

    private static final GgufValueType[] VALUES = values();
    private final int size;

    GgufValueType(int size) {
        this.size = size;
    }

    /** The id stored in the file. */
    public int id() {
        return ordinal();
    }

    /** Encoded size in bytes for fixed-size types, -1 for STRING and ARRAY. */
    public int size() {
        return size;
    }

    boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or null if there is none. */
    static GgufValueType byIdOrNull(int id) {
        return id >= 0 && id < VALUES.length ? VALUES[id] : null;
    }
}
