package dev.vireo.runtime;

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
 * One llama.cpp forward-pass case of ../shared/reference/cases (see its README): prompt tokens,
 * 32 greedy tokens with their top1-top2 margins, and the logits after every consumed token.
 */
record GoldenCase(String name, Path model, int[] promptTokens, int[] greedyTokens, float[] margins, int vocab,
        float[] logits, String greedyText) {

    static final Path CASES = Path.of("reference/cases");

    int rows() {
        return promptTokens.length + greedyTokens.length - 1;
    }

    /** The tokens llama.cpp consumed, in order: the prompt, then every greedy token but the last. */
    int tokenAt(int row) {
        return row < promptTokens.length ? promptTokens[row] : greedyTokens[row - promptTokens.length];
    }

    /** Weight type from the model file name: "tiny-llama-Q4_K.gguf" -> "Q4_K"; stories260K is F32. */
    String weightType() {
        String f = model.getFileName().toString().replace(".gguf", "");
        int dash = f.lastIndexOf('-');
        String t = dash < 0 ? "F32" : f.substring(dash + 1);
        return t.matches("F32|F16|BF16|Q\\d_[0-9K]") ? t : "F32";
    }

    /** Names of the cases without adapters ("model/prompt"). */
    static Stream<String> plainCaseNames() throws IOException {
        Path dir = Shared.root().resolve(CASES);
        if (!Files.isDirectory(dir)) {
            return Stream.of("absent/absent"); // load() skips with a message
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> models = Files.list(dir)) {
            for (Path m : models.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(m)) {
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".json") && !n.contains("__"))
                            .sorted()
                            .forEach(n -> names.add(m.getFileName() + "/" + n.substring(0, n.length() - 5)));
                }
            }
        }
        return names.stream();
    }

    static GoldenCase load(String name) throws IOException {
        Path json = Shared.file(CASES.resolve(name + ".json").toString());
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        String modelFile = n.get("model").asText();
        Path model = Shared.file(modelFile.startsWith("stories260K") ? "models/" + modelFile : "models/synthetic/" + modelFile);
        int vocab = n.get("n_vocab").asInt();
        int[] prompt = ints(n.get("prompt_tokens"));
        int[] greedy = ints(n.get("greedy_tokens"));
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
        return new GoldenCase(name, model, prompt, greedy, margins, vocab, logits, n.get("greedy_text").asText());
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
