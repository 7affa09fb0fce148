package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.LowRank;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEFT folders: the same matrices and scale as llama.cpp's conversion, module selection, refusals. */
class PeftAdapterTest {
    static Path peft() {
        return Shared.file("models/synthetic/peft/stories260K-lora-r4");
    }

    static Path gguf() {
        return Shared.file("models/synthetic/stories260K-lora-r4.gguf");
    }

    static Path base() {
        return Shared.file("models/stories260K.gguf");
    }

    @Test
    void everyTargetEqualsTheConvertedGgufAdapter() throws IOException {
        try (GgufFile base = GgufFile.open(base());
                LoraAdapter fromPeft = LoraAdapter.load(peft(), base);
                LoraAdapter fromGguf = LoraAdapter.load(gguf(), base)) {
            assertEquals("stories260K-lora-r4 (PEFT): rank 4, alpha 8, 35 tensors", fromPeft.describe());
            assertEquals(new ArrayList<>(fromGguf.targets()), new ArrayList<>(fromPeft.targets()));
            int permuted = 0;
            for (String target : fromGguf.targets()) {
                LowRank p = fromPeft.term(target, 0.5f);
                LowRank g = fromGguf.term(target, 0.5f);
                assertEquals(g.scale(), p.scale(), target);
                assertEquals(g.a().type(), p.a().type(), target);
                assertEquals(g.a().rows(), p.a().rows(), target);
                assertEquals(g.a().cols(), p.a().cols(), target);
                assertEquals(-1, g.a().data().mismatch(p.a().data()), target + " lora_a");
                assertEquals(-1, g.b().data().mismatch(p.b().data()), target + " lora_b");
                assertEquals(g.b().rows(), p.b().rows());
                assertEquals(g.b().cols(), p.b().cols());
                if (target.contains("attn_q") || target.contains("attn_k")) {
                    permuted++;
                }
            }
            assertEquals(10, permuted);
        }
    }

    @Test
    void withoutThePermutationQAndKWouldDiffer() throws IOException {
        // guards the test above: the HF rows of q/k lora_B are really in another order than GGUF's
        try (GgufFile g = GgufFile.open(gguf());
                dev.vireo.gguf.SafetensorsFile st = dev.vireo.gguf.SafetensorsFile.open(peft().resolve("adapter_model.safetensors"))) {
            GgufTensor ggufB = g.tensor("blk.0.attn_q.weight.lora_b");
            var hfB = st.tensor("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");
            assertNotEquals(-1, ggufB.data().mismatch(hfB.data()));
            var hfV = st.tensor("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight");
            assertEquals(-1, g.tensor("blk.0.attn_v.weight.lora_b").data().mismatch(hfV.data()));
        }
    }

    @Test
    void targetModulesAndLayersToTransformSelectTheLoadedModules(@TempDir Path tmp) throws IOException {
        Path dir = copyWithConfig(tmp, c -> {
            c.putArray("target_modules").add("v_proj").add("down_proj");
            c.putArray("layers_to_transform").add(0).add(3);
        });
        try (GgufFile base = GgufFile.open(base()); LoraAdapter a = LoraAdapter.load(dir, base)) {
            assertEquals(List.of("blk.0.attn_v.weight", "blk.0.ffn_down.weight", "blk.3.attn_v.weight", "blk.3.ffn_down.weight"),
                    new ArrayList<>(a.targets()));
        }
    }

    @Test
    void rsLoraDividesBySquareRootOfRank(@TempDir Path tmp) throws IOException {
        Path dir = copyWithConfig(tmp, c -> c.put("use_rslora", true));
        try (GgufFile base = GgufFile.open(base()); LoraAdapter a = LoraAdapter.load(dir, base)) {
            assertTrue(a.rsLora());
            assertEquals(4f, a.term("blk.0.attn_q.weight", 1f).scale()); // 8 / sqrt(4)
        }
    }

    @Test
    void configFileOrWeightsFileNameTheFolderToo() throws IOException {
        try (GgufFile base = GgufFile.open(base());
                LoraAdapter a = LoraAdapter.load(peft().resolve("adapter_config.json"), base);
                LoraAdapter b = LoraAdapter.load(peft().resolve("adapter_model.safetensors"), base)) {
            assertEquals(35, a.targets().size());
            assertEquals(35, b.targets().size());
        }
    }

    @Test
    void doraIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = copyWithConfig(tmp, c -> c.put("use_dora", true));
        assertRefused(dir, "use_dora is true: DoRA adapters are not supported");
    }

    @Test
    void wrongBaseModelIsRefusedWithBothShapes() throws IOException {
        try (GgufFile base = GgufFile.open(Shared.file("models/synthetic/tiny-llama-F32.gguf"))) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(peft(), base));
            assertOneLine(e, "'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 64] but base tensor"
                    + " 'blk.0.attn_q.weight' has GGUF shape [256, 256]");
        }
    }

    @Test
    void otherArchitecturesWithoutKnownQkLayoutAreRefused(@TempDir Path tmp) throws IOException {
        Path fake = TestFiles.patchedCopy(base(), tmp.resolve("base.gguf"), "llama", "gemma");
        try (GgufFile base = GgufFile.open(fake)) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(peft(), base));
            assertOneLine(e, "PEFT adapters for architecture 'gemma' are not supported");
        }
    }

    @Test
    void handWrittenFilesWithUnsupportedTensorsAreRefused(@TempDir Path tmp) throws IOException {
        String p = "base_model.model.";
        String[][] cases = {
            {p + "lm_head.lora_A.weight", "[4, 64]", p + "lm_head.lora_B.weight", "[512, 4]",
                "LoRA on the output head ('lm_head') is not supported"},
            {p + "model.embed_tokens.lora_embedding_A", "[4, 512]", p + "model.embed_tokens.lora_embedding_B", "[64, 4]",
                "LoRA on the token embeddings is not supported"},
            {p + "model.layers.0.mlp.fc1.lora_A.weight", "[4, 64]", p + "model.layers.0.mlp.fc1.lora_B.weight", "[172, 4]",
                "unknown LoRA module 'model.layers.0.mlp.fc1'"},
            {p + "model.layers.0.self_attn.q_proj.lora_A.weight", "[4, 64]",
                p + "model.layers.0.self_attn.q_proj.lora_magnitude_vector", "[64]", "is a DoRA magnitude vector"},
            {p + "model.layers.9.self_attn.q_proj.lora_A.weight", "[4, 64]", p + "model.layers.9.self_attn.q_proj.lora_B.weight",
                "[64, 4]", "maps to 'blk.9.attn_q.weight', which does not exist in the base model stories260K.gguf"},
            {p + "model.layers.0.self_attn.q_proj.lora_A.weight", "[4, 64]", p + "model.layers.0.self_attn.q_proj.lora_B.weight",
                "[64, 2]", "disagree on the rank"},
        };
        int i = 0;
        for (String[] c : cases) {
            Path dir = Files.createDirectories(tmp.resolve("case" + i++));
            Files.writeString(dir.resolve("adapter_config.json"),
                    "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":\"all-linear\"}");
            SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), c[0], shape(c[1]), c[2], shape(c[3]));
            if (c[0].contains("lm_head")) {
                // all-linear leaves lm_head out, as PEFT does: name it explicitly to reach the refusal
                Files.writeString(dir.resolve("adapter_config.json"),
                        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"lm_head\"]}");
            }
            assertRefused(dir, c[4]);
        }
    }

    static long[] shape(String s) {
        String[] parts = s.replaceAll("[\\[\\] ]", "").split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }

    static void assertRefused(Path dir, String part) throws IOException {
        try (GgufFile base = GgufFile.open(base())) {
            var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(dir, base));
            assertOneLine(e, part);
        }
    }

    static void assertOneLine(Exception e, String part) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** A copy of the shared PEFT folder with its config edited. */
    static Path copyWithConfig(Path tmp, Consumer<ObjectNode> edit) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("stories260K-lora-r4"));
        Files.copy(peft().resolve("adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(peft().resolve("adapter_config.json").toFile());
        edit.accept(config);
        json.writeValue(dir.resolve("adapter_config.json").toFile(), config);
        return dir;
    }
}
