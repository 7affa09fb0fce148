package dev.vireo.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order, with typed access.
 *
 * <p>Integer getters accept any integer type whose value fits (GGUF writers differ in the width
 * they use for the same key); a value of another kind, or one out of range, is an error naming
 * the key and both types. Missing keys are an error for the plain getters and an empty result
 * for the {@code find} variants.
 */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;

    public GgufMetadata(Map<String, GgufValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every key/value pair in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public int size() {
        return values.size();
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value of a key, or empty. */
    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new MetadataException("metadata key '" + key + "' is missing");
        }
        return v;
    }

    private static MetadataException wrongType(String key, GgufValue v, String expected) {
        String actual = v.type() == GgufValueType.ARRAY ? "array of " + v.elementType() : v.type().toString();
        return new MetadataException("metadata key '" + key + "' has type " + actual + ", expected " + expected);
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "STRING");
        }
        return (String) v.value();
    }

    public Optional<String> findString(String key) {
        return has(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        return v.integerValue();
    }

    public int getInt(String key) {
        long l = getLong(key);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new MetadataException("metadata key '" + key + "' = " + l + " does not fit in an int");
        }
        return (int) l;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    public long getLong(String key, long defaultValue) {
        return has(key) ? getLong(key) : defaultValue;
    }

    public float getFloat(String key) {
        GgufValue v = require(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (float) (double) (Double) v.value();
            default -> throw wrongType(key, v, "FLOAT32");
        };
    }

    public float getFloat(String key, float defaultValue) {
        return has(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBool(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.BOOL) {
            throw wrongType(key, v, "BOOL");
        }
        return (Boolean) v.value();
    }

    public boolean getBool(String key, boolean defaultValue) {
        return has(key) ? getBool(key) : defaultValue;
    }

    private GgufValue requireArray(String key, String expected) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            throw wrongType(key, v, expected);
        }
        return v;
    }

    public String[] getStringArray(String key) {
        GgufValue v = requireArray(key, "array of STRING");
        if (v.elementType() != GgufValueType.STRING) {
            throw wrongType(key, v, "array of STRING");
        }
        return ((String[]) v.value()).clone();
    }

    /** An array of any integer (or bool) element type as ints; values must fit. */
    public int[] getIntArray(String key) {
        GgufValue v = requireArray(key, "array of integers");
        GgufValueType e = v.elementType();
        if (!e.isInteger() && e != GgufValueType.BOOL) {
            throw wrongType(key, v, "array of integers");
        }
        int[] out = new int[v.count()];
        for (int i = 0; i < out.length; i++) {
            long l = v.integerElement(i);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new MetadataException("metadata key '" + key + "'[" + i + "] = " + l + " does not fit in an int");
            }
            out[i] = (int) l;
        }
        return out;
    }

    /** An array of FLOAT32 (or FLOAT64) as floats. */
    public float[] getFloatArray(String key) {
        GgufValue v = requireArray(key, "array of FLOAT32");
        return switch (v.value()) {
            case float[] a -> a.clone();
            case double[] a -> {
                float[] out = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = (float) a[i];
                }
                yield out;
            }
            default -> throw wrongType(key, v, "array of FLOAT32");
        };
    }

    /**
     * A hyperparameter that llama.cpp allows as either a scalar or a per-layer array (for example
     * {@code feed_forward_length}); the scalar is repeated for every layer.
     */
    public int[] getIntOrArray(String key, int layers) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            int[] out = new int[layers];
            java.util.Arrays.fill(out, getInt(key));
            return out;
        }
        int[] out = getIntArray(key);
        if (out.length != layers) {
            throw new MetadataException("metadata key '" + key + "' has " + out.length + " entries for " + layers + " layers");
        }
        return out;
    }

    /** A missing metadata key or a value of the wrong type. */
    public static final class MetadataException extends RuntimeException {
        public MetadataException(String message) {
            super(message);
        }
    }
}
