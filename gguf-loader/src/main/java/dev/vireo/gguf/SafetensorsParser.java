package dev.vireo.gguf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors file: an 8-byte little-endian header length, a JSON object
 * mapping tensor names to {@code {"dtype", "shape", "data_offsets"}} (plus an optional
 * {@code "__metadata__"} map of strings), then the data, with offsets relative to its start.
 */
final class SafetensorsParser {
    /** The reference implementation refuses headers above 100 MB; so do we, before reading one. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    static final String METADATA_KEY = "__metadata__";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private final Path path;
    private final MemorySegment mapping;

    private SafetensorsParser(Path path, MemorySegment mapping) {
        this.path = path;
        this.mapping = mapping;
    }

    record Parsed(Map<String, String> metadata, List<SafetensorsTensor> tensors, long dataOffset) {}

    private record Entry(String name, SafetensorsDType dtype, long[] shape, long begin, long end, long headerPos) {}

    static Parsed parse(Path path, MemorySegment mapping) {
        return new SafetensorsParser(path, mapping).parse();
    }

    private GgufFormatException error(long offset, String problem) {
        return new GgufFormatException(path, offset, problem);
    }

    private Parsed parse() {
        long fileSize = mapping.byteSize();
        if (fileSize < 8) {
            throw error(0, "file is too short to be safetensors (" + fileSize + " bytes, the header length alone takes 8)");
        }
        long n = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER_BYTES || n > fileSize - 8) {
            throw error(0, "header length " + Long.toUnsignedString(n) + " is impossible for a file of " + fileSize
                    + " bytes (at least 2, at most " + MAX_HEADER_BYTES + ")");
        }
        long dataOffset = 8 + n;
        long dataSize = fileSize - dataOffset;
        byte[] header = mapping.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);

        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(8 + offsetOf(p), "the header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                long at = 8 + offsetOf(p);
                p.nextToken();
                JsonNode value = MAPPER.readTree(p);
                if (name.equals(METADATA_KEY)) {
                    metadata = metadata(value, at);
                } else {
                    entries.add(entry(name, value, at));
                }
            }
            if (p.nextToken() != null) {
                throw error(8 + offsetOf(p), "unexpected JSON after the header object");
            }
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw error(8 + Math.max(0, at), "the header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw error(8, "the header cannot be read as JSON: " + e.getMessage());
        }

        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        List<SafetensorsTensor> tensors = new ArrayList<>(entries.size());
        Entry prev = null;
        for (Entry e : entries) {
            if (e.end > dataSize) {
                throw error(e.headerPos, "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end
                        + "] go past the end of the data (" + dataSize + " bytes from byte " + dataOffset
                        + "): file truncated?");
            }
            if (prev != null && e.begin < prev.end) {
                throw error(e.headerPos, "tensor '" + e.name + "' data [" + e.begin + ", " + e.end + ") overlaps tensor '"
                        + prev.name + "' [" + prev.begin + ", " + prev.end + ")");
            }
            long abs = dataOffset + e.begin;
            tensors.add(new SafetensorsTensor(e.name, e.dtype, e.shape, abs, mapping.asSlice(abs, e.end - e.begin)));
            prev = e;
        }
        return new Parsed(metadata, tensors, dataOffset);
    }

    private static long offsetOf(JsonParser p) {
        return Math.max(0, p.currentTokenLocation().getByteOffset());
    }

    private Map<String, String> metadata(JsonNode value, long at) {
        if (!value.isObject()) {
            throw error(at, METADATA_KEY + " must be an object of strings, not " + value.getNodeType());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw error(at, METADATA_KEY + " value of '" + GgufReader.shorten(e.getKey()) + "' must be a string, not "
                        + e.getValue().getNodeType());
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(m);
    }

    private Entry entry(String fullName, JsonNode v, long at) {
        String name = GgufReader.shorten(fullName);
        if (!v.isObject()) {
            throw error(at, "tensor '" + name + "' must be described by an object, not " + v.getNodeType());
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw error(at, "tensor '" + name + "' has no dtype string");
        }
        SafetensorsDType dtype = SafetensorsDType.byNameOrNull(dt.textValue());
        if (dtype == null) {
            throw error(at, "tensor '" + name + "' has unknown dtype '" + GgufReader.shorten(dt.textValue()) + "'");
        }
        long[] shape = longs(v.get("shape"), -1, "shape", name, at);
        long[] offsets = longs(v.get("data_offsets"), 2, "data_offsets", name, at);
        long elements = 1;
        for (long d : shape) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw error(at, "tensor '" + name + "' shape " + java.util.Arrays.toString(shape) + " overflows 64 bits");
            }
        }
        long bits;
        try {
            bits = Math.multiplyExact(elements, (long) dtype.bits());
        } catch (ArithmeticException e) {
            throw error(at, "tensor '" + name + "' byte size overflows 64 bits");
        }
        if (bits % 8 != 0) {
            throw error(at, "tensor '" + name + "' has " + elements + " " + dtype + " values, not a whole number of bytes");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw error(at, "tensor '" + name + "' data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end - begin != bits / 8) {
            throw error(at, "tensor '" + name + "' " + dtype + " " + java.util.Arrays.toString(shape) + " takes "
                    + bits / 8 + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(fullName, dtype, shape, begin, end, at);
    }

    /** A JSON array of non-negative integers ({@code count} of them unless it is -1). */
    private long[] longs(JsonNode a, int count, String what, String name, long at) {
        if (a == null || !a.isArray() || (count >= 0 && a.size() != count)) {
            throw error(at, "tensor '" + name + "' " + what + " must be an array of "
                    + (count >= 0 ? count + " " : "") + "non-negative integers");
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                throw error(at, "tensor '" + name + "' " + what + "[" + i + "] = " + GgufReader.shorten(x.toString())
                        + " is not a non-negative 64-bit integer");
            }
            out[i] = x.longValue();
        }
        return out;
    }
}
