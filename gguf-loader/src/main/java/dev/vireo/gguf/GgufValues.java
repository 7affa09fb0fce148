package dev.vireo.gguf;

/** Reads one metadata value; array lengths are checked against the bytes left before allocating. */
final class GgufValues {
    private GgufValues() {}

    static GgufValue read(GgufReader r, String fullKey) {
        String key = GgufReader.shorten(fullKey);
        long typePos = r.position();
        int typeId = r.i32("type of metadata '" + key + "'");
        GgufValueType type = GgufValueType.byIdOrNull(typeId);
        if (type == null) {
            throw r.errorAt(typePos, "metadata '" + key + "' has unknown value type " + typeId);
        }
        if (type != GgufValueType.ARRAY) {
            return new GgufValue(type, null, scalar(r, type, key));
        }
        long elemPos = r.position();
        int elemId = r.i32("array type of metadata '" + key + "'");
        GgufValueType elem = GgufValueType.byIdOrNull(elemId);
        if (elem == null) {
            throw r.errorAt(elemPos, "metadata '" + key + "' has unknown array element type " + elemId);
        }
        if (elem == GgufValueType.ARRAY) {
            throw r.errorAt(elemPos, "metadata '" + key + "' is a nested array (not supported by GGUF readers)");
        }
        long countPos = r.position();
        long count = r.i64("array length of metadata '" + key + "'");
        long minBytes = elem == GgufValueType.STRING ? 8 : elem.size();
        if (count < 0 || count > (1L << 30) || count > r.remaining() / minBytes) {
            throw r.errorAt(countPos, "metadata '" + key + "' array length " + Long.toUnsignedString(count)
                    + " does not fit in the " + r.remaining() + " bytes left in the file");
        }
        int n = (int) count;
        String what = "metadata '" + key + "'";
        Object value = switch (elem) {
            case UINT8, INT8 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) a[i] = r.i8(what);
                yield a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) a[i] = r.i16(what);
                yield a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = r.i32(what);
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = r.i64(what);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = r.f32(what);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = r.f64(what);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = r.i8(what) != 0;
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) a[i] = r.string(what);
                yield a;
            }
            case ARRAY -> throw new AssertionError();
        };
        return new GgufValue(GgufValueType.ARRAY, elem, value);
    }

    private static Object scalar(GgufReader r, GgufValueType type, String key) {
        String what = "metadata '" + key + "'";
        return switch (type) {
            case UINT8, INT8 -> r.i8(what);
            case UINT16, INT16 -> r.i16(what);
            case UINT32, INT32 -> r.i32(what);
            case UINT64, INT64 -> r.i64(what);
            case FLOAT32 -> r.f32(what);
            case FLOAT64 -> r.f64(what);
            case BOOL -> r.i8(what) != 0;
            case STRING -> r.string(what);
            case ARRAY -> throw new AssertionError();
        };
    }
}
