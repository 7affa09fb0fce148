package dev.vireo.gguf;

/**
 * The element types a safetensors header may name. All of them are recognised so that any valid
 * file opens and its table can be listed; only F32, F16 and BF16 (and the plain integer types
 * ggml also has) map to a {@link GgmlType} and can be read as numbers.
 */
public enum SafetensorsDType {
    BOOL(8, null),
    U8(8, null),
    I8(8, GgmlType.I8),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    I16(16, GgmlType.I16),
    U16(16, null),
    F16(16, GgmlType.F16),
    BF16(16, GgmlType.BF16),
    I32(32, GgmlType.I32),
    U32(32, null),
    F32(32, GgmlType.F32),
    F64(64, GgmlType.F64),
    I64(64, GgmlType.I64),
    U64(64, null),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null);

    private final int bits;
    private final GgmlType ggml;

    SafetensorsDType(int bits, GgmlType ggml) {
        this.bits = bits;
        this.ggml = ggml;
    }

    /** Bits per element (4 and 6 for the packed float formats). */
    public int bits() {
        return bits;
    }

    /** Whether the values can be read as floats ({@link SafetensorsTensor#toFloats()}). */
    public boolean isFloatReadable() {
        return this == F32 || this == F16 || this == BF16;
    }

    /**
     * The ggml type with the same encoding.
     *
     * @throws UnsupportedOperationException when ggml has none (unsigned ints, bool, fp8, fp4, fp6)
     */
    public GgmlType ggmlType() {
        if (ggml == null) {
            throw new UnsupportedOperationException("safetensors dtype " + name()
                    + " is not supported (supported: F32, F16, BF16, F64, I8, I16, I32, I64)");
        }
        return ggml;
    }

    /** The dtype with this header name (case-sensitive, as safetensors writes it), or null. */
    static SafetensorsDType byNameOrNull(String name) {
        for (SafetensorsDType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
