package dev.vireo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufValueType;
import java.io.PrintStream;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What `vireo info` shows about a GGUF file, as an aligned text report or as JSON. */
final class GgufReport {
    /** The per-architecture keys worth a line of their own, in the order llama.cpp prints them. */
    private static final List<String> HYPERPARAMETERS = List.of(
            "context_length", "embedding_length", "block_count", "feed_forward_length",
            "attention.head_count", "attention.head_count_kv", "attention.key_length",
            "attention.value_length", "attention.layer_norm_rms_epsilon", "rope.dimension_count",
            "rope.freq_base", "rope.scaling.type", "rope.scaling.factor", "vocab_size", "expert_count");

    private final GgufFile file;

    GgufReport(GgufFile file) {
        this.file = file;
    }

    String architecture() {
        return file.metadata().findString("general.architecture").orElse("(none)");
    }

    /** The key hyperparameters present in the file, short name -> value. */
    Map<String, GgufValue> hyperparameters() {
        Map<String, GgufValue> out = new LinkedHashMap<>();
        String arch = architecture();
        for (String k : HYPERPARAMETERS) {
            file.metadata().find(arch + "." + k).ifPresent(v -> out.put(k, v));
        }
        return out;
    }

    /** Tokens in the vocabulary, or -1 when the file has none. */
    int vocabularySize() {
        return file.metadata().find("tokenizer.ggml.tokens").map(GgufValue::count).orElse(-1);
    }

    long parameterCount() {
        long n = 0;
        for (GgufTensor t : file.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    long tensorBytes() {
        long n = 0;
        for (GgufTensor t : file.tensors()) {
            n += t.byteSize();
        }
        return n;
    }

    double bitsPerWeight() {
        long p = parameterCount();
        return p == 0 ? 0 : 8.0 * tensorBytes() / p;
    }

    /** The type holding the most bytes: what "a Q4_0 model" means. Null for a vocab-only file. */
    GgmlType mainType() {
        Map<GgmlType, Long> bytes = new EnumMap<>(GgmlType.class);
        for (GgufTensor t : file.tensors()) {
            bytes.merge(t.type(), t.byteSize(), Long::sum);
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    void printText(PrintStream out) {
        out.printf("file:          %s%n", file.path());
        out.printf("size:          %s (%d bytes)%n", Units.bytes(file.fileSize()), file.fileSize());
        out.printf("GGUF version:  %d (alignment %d, data at byte %d)%n", file.version(), file.alignment(), file.dataOffset());
        out.printf("architecture:  %s%n", architecture());
        file.metadata().findString("general.name").ifPresent(n -> out.printf("name:          %s%n", n));
        GgmlType main = mainType();
        out.printf("weight type:   %s%n", main == null ? "(no tensors)" : main);
        if (vocabularySize() >= 0) {
            out.printf("vocabulary:    %d tokens (%s)%n", vocabularySize(),
                    file.metadata().findString("tokenizer.ggml.model").orElse("unknown model"));
        }
        Map<String, GgufValue> hp = hyperparameters();
        if (!hp.isEmpty()) {
            out.println();
            out.println("hyperparameters:");
            int w = hp.keySet().stream().mapToInt(String::length).max().orElse(0);
            hp.forEach((k, v) -> out.printf("  %-" + w + "s  %s%n", k, MetadataValues.text(v)));
        }

        out.println();
        out.printf("metadata (%d keys):%n", file.metadata().size());
        Map<String, GgufValue> all = file.metadata().asMap();
        int kw = all.keySet().stream().mapToInt(String::length).max().orElse(0);
        int tw = all.values().stream().mapToInt(v -> MetadataValues.typeName(v).length()).max().orElse(0);
        all.forEach((k, v) -> out.printf("  %-" + kw + "s  %-" + tw + "s  %s%n", k, MetadataValues.typeName(v),
                MetadataValues.text(v)));

        out.println();
        out.printf("tensors (%d):%n", file.tensors().size());
        int nw = file.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(4);
        int sw = file.tensors().stream().mapToInt(t -> t.shapeString().length()).max().orElse(5);
        nw = Math.max(nw, 4);
        sw = Math.max(sw, 5);
        out.printf("  %-" + nw + "s  %-7s  %-" + sw + "s  %12s%n", "name", "type", "shape", "bytes");
        for (GgufTensor t : file.tensors()) {
            out.printf("  %-" + nw + "s  %-7s  %-" + sw + "s  %12d%n", t.name(), t.type(), t.shapeString(), t.byteSize());
        }

        out.println();
        out.printf("totals:        %d parameters (%s), %d bytes of tensors (%s), %.2f bits per weight%n",
                parameterCount(), Units.count(parameterCount()), tensorBytes(), Units.bytes(tensorBytes()),
                bitsPerWeight());
    }

    void printJson(PrintStream out) throws java.io.IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("file", file.path().toString());
        root.put("file_size", file.fileSize());
        root.put("version", file.version());
        root.put("alignment", file.alignment());
        root.put("architecture", architecture());
        GgmlType main = mainType();
        root.put("weight_type", main == null ? null : main.name());
        root.put("vocabulary_size", vocabularySize());
        ObjectNode hp = root.putObject("hyperparameters");
        hyperparameters().forEach((k, v) -> putValue(hp, k, v));
        ObjectNode meta = root.putObject("metadata");
        file.metadata().asMap().forEach((k, v) -> putValue(meta, k, v));
        ArrayNode tensors = root.putArray("tensors");
        for (GgufTensor t : file.tensors()) {
            ObjectNode o = tensors.addObject();
            o.put("name", t.name());
            o.put("type", t.type().name());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.put("bytes", t.byteSize());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("tensors", file.tensors().size());
        totals.put("parameters", parameterCount());
        totals.put("bytes", tensorBytes());
        totals.put("bits_per_weight", Math.round(bitsPerWeight() * 1e4) / 1e4);
        out.println(mapper.writeValueAsString(root));
    }

    /** Scalars as JSON values; arrays in full up to a limit, else {type, count, first}. */
    private static void putValue(ObjectNode node, String key, GgufValue v) {
        if (v.type() != GgufValueType.ARRAY) {
            node.set(key, json(node, MetadataValues.scalar(v.type(), v.value())));
            return;
        }
        if (v.count() <= MetadataValues.MAX_ARRAY_SHOWN) {
            ArrayNode a = node.putArray(key);
            MetadataValues.firstElements(v, v.count()).forEach(o -> a.add(json(node, o)));
            return;
        }
        ObjectNode s = node.putObject(key);
        s.put("type", MetadataValues.typeName(v));
        s.put("count", v.count());
        ArrayNode first = s.putArray("first");
        MetadataValues.firstElements(v, MetadataValues.SUMMARY_ITEMS).forEach(o -> first.add(json(node, o)));
    }

    private static com.fasterxml.jackson.databind.JsonNode json(ObjectNode factory, Object o) {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        return switch (o) {
            case Long l -> f.numberNode(l);
            case BigInteger b -> f.numberNode(b);
            case Double d -> Double.isFinite(d) ? f.numberNode(d) : f.textNode(d.toString());
            case Boolean b -> f.booleanNode(b);
            case String s -> f.textNode(s);
            default -> f.textNode(String.valueOf(o));
        };
    }
}
