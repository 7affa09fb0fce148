package dev.vireo.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A llama.cpp forward pass with adapters from ../shared/reference/cases (files with "__" in the
 * name, see the README there): the model, the adapters and their scales, the prompt tokens, 32
 * greedy tokens with llama.cpp's top1-top2 margins, and the logits after every consumed token.
 */
record AdapterCase(String name, Path model, List<Use> adapters, int[] promptTokens, int[] greedyTokens, float[] margins,
        int vocab, float[] logits) {

    record Use(Path file, float scale) {}

    static final String CASES = "reference/cases";

    int rows() {
        return promptTokens.length + greedyTokens.length - 1;
    }

    /** The token consumed to produce row {@code row}: the prompt, then the greedy tokens. */
    int tokenAt(int row) {
        return row < promptTokens.length ? promptTokens[row] : greedyTokens[row - promptTokens.length];
    }

    /** "F32", "Q4_0"...: from the model file name; stories260K is F32. */
    String weightType() {
        String f = model.getFileName().toString().replace(".gguf", "");
        String t = f.substring(f.lastIndexOf('-') + 1);
        return t.matches("F32|F16|BF16|Q\\d_[0-9K]") ? t : "F32";
    }

    /** "model/prompt__adapters" for every adapter case. */
    static Stream<String> names() throws IOException {
        Path dir = Shared.root().resolve(CASES);
        if (!Files.isDirectory(dir)) {
            return Stream.of("absent/absent__absent"); // load() then skips with a message
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> models = Files.list(dir)) {
            for (Path m : models.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(m)) {
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".json") && n.contains("__"))
                            .sorted()
                            .forEach(n -> names.add(m.getFileName() + "/" + n.substring(0, n.length() - 5)));
                }
            }
        }
        return names.stream();
    }

    static AdapterCase load(String name) throws IOException {
        Path json = Shared.file(CASES + "/" + name + ".json");
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        List<Use> uses = new ArrayList<>();
        for (JsonNode a : n.get("adapters")) {
            uses.add(new Use(Shared.file("models/synthetic/" + a.get("file").asText()), (float) a.get("scale").asDouble()));
        }
        String modelFile = n.get("model").asText();
        Path model = Shared.file(modelFile.startsWith("stories260K") ? "models/" + modelFile : "models/synthetic/" + modelFile);
        int vocab = n.get("n_vocab").asInt();
        JsonNode m = n.get("greedy_top1_top2_margins");
        float[] margins = new float[m.size()];
        for (int i = 0; i < margins.length; i++) {
            margins[i] = (float) m.get(i).asDouble();
        }
        byte[] raw = Files.readAllBytes(json.resolveSibling(n.get("logits_file").asText()));
        int rows = n.get("logits_shape").get(0).asInt();
        if (raw.length != (long) rows * vocab * 4) {
            throw new IOException(json + ": logits file has " + raw.length + " bytes, expected " + rows + " x " + vocab + " floats");
        }
        float[] logits = new float[rows * vocab];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
        return new AdapterCase(name, model, List.copyOf(uses), ints(n.get("prompt_tokens")), ints(n.get("greedy_tokens")), margins,
                vocab, logits);
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
