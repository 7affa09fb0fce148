package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** PEFT adapter_config.json: module selection as PEFT does it, and refusals. */
class PeftConfigTest {
    static final Path FILE = Path.of("adapter_config.json");

    static PeftConfig parse(String json) throws Exception {
        return PeftConfig.parse(FILE, new ObjectMapper().readTree(json.replace('\'', '"')));
    }

    @Test
    void defaultsAndScalesFollowPeft() throws Exception {
        PeftConfig c = parse("{'target_modules': ['q_proj']}");
        assertEquals(8, c.r());
        assertEquals(8f, c.alpha());
        assertFalse(c.rsLora());
        PeftConfig rs = parse("{'r': 16, 'lora_alpha': 32, 'use_rslora': true, 'target_modules': ['q_proj']}");
        assertEquals(16, rs.rankOf("model.layers.0.self_attn.q_proj"));
        assertTrue(rs.rsLora());
        assertEquals(8f, LoraWeights.factor(32, 16, true)); // 32 / sqrt(16)
        assertEquals(2f, LoraWeights.factor(32, 16, false));
        assertEquals(1f, LoraWeights.factor(0, 16, false), "alpha 0: llama.cpp applies the user scale alone");
    }

    @Test
    void targetModulesListMatchesNamesAndNameSuffixes() throws Exception {
        PeftConfig c = parse("{'target_modules': ['q_proj', 'mlp.down_proj']}");
        assertTrue(c.targets("model.layers.0.self_attn.q_proj", true));
        assertTrue(c.targets("model.layers.11.mlp.down_proj", true));
        assertFalse(c.targets("model.layers.0.self_attn.k_proj", true));
        assertFalse(c.targets("model.layers.0.self_attn.xq_proj", true), "a suffix must start at a dot");
    }

    @Test
    void targetModulesRegexMustMatchTheWholeName() throws Exception {
        PeftConfig c = parse("{'target_modules': '.*\\\\.(q|v)_proj', 'layers_to_transform': [1]}");
        assertTrue(c.targets("model.layers.0.self_attn.q_proj", true), "PEFT ignores layers_to_transform with a regex");
        assertTrue(c.targets("model.layers.3.self_attn.v_proj", true));
        assertFalse(c.targets("model.layers.3.self_attn.v_proj.x", true));
        assertFalse(c.targets("model.layers.3.self_attn.o_proj", true));
    }

    @Test
    void layersToTransformPicksLayersByIndex() throws Exception {
        PeftConfig c = parse("{'target_modules': ['q_proj'], 'layers_to_transform': [0, 2]}");
        assertTrue(c.targets("model.layers.0.self_attn.q_proj", true));
        assertFalse(c.targets("model.layers.1.self_attn.q_proj", true));
        assertTrue(c.targets("model.layers.2.self_attn.q_proj", true));
        assertFalse(c.targets("model.layers.12.self_attn.q_proj", true));
        PeftConfig single = parse("{'target_modules': ['q_proj'], 'layers_to_transform': 1, 'layers_pattern': 'layers'}");
        assertTrue(single.targets("model.layers.1.self_attn.q_proj", true));
        assertFalse(single.targets("model.layers.0.self_attn.q_proj", true));
    }

    @Test
    void allLinearAndExcludes() throws Exception {
        PeftConfig c = parse("{'target_modules': 'all-linear', 'exclude_modules': ['o_proj']}");
        assertTrue(c.targets("model.layers.0.mlp.up_proj", true));
        assertFalse(c.targets("model.layers.0.self_attn.o_proj", true));
        assertFalse(c.targets("lm_head", false));
    }

    @Test
    void rankAndAlphaPatternsOverrideByNameOrSuffix() throws Exception {
        PeftConfig c = parse("{'r': 8, 'lora_alpha': 16, 'target_modules': ['q_proj', 'v_proj'],"
                + " 'rank_pattern': {'q_proj': 4}, 'alpha_pattern': {'model.layers.1.self_attn.v_proj': 2}}");
        assertEquals(4, c.rankOf("model.layers.0.self_attn.q_proj"));
        assertEquals(8, c.rankOf("model.layers.0.self_attn.v_proj"));
        assertEquals(2f, c.alphaOf("model.layers.1.self_attn.v_proj"));
        assertEquals(16f, c.alphaOf("model.layers.0.self_attn.v_proj"));
    }

    @Test
    void unsupportedOptionsAreRefusedInOneLine() {
        String[][] cases = {
            {"{'use_dora': true, 'target_modules': ['q_proj']}", "use_dora is true"},
            {"{'fan_in_fan_out': true, 'target_modules': ['q_proj']}", "fan_in_fan_out is true"},
            {"{'peft_type': 'LOHA', 'target_modules': ['q_proj']}", "peft_type is 'LOHA'"},
            {"{'modules_to_save': ['lm_head'], 'target_modules': ['q_proj']}", "modules_to_save [\"lm_head\"]"},
            {"{'alora_invocation_tokens': [1, 2], 'target_modules': ['q_proj']}", "activated LoRA"},
            {"{'target_modules': '(unclosed'}", "is not a valid regular expression"},
        };
        for (String[] c : cases) {
            var e = assertThrows(IllegalArgumentException.class, () -> parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("adapter_config.json: "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void hfModulesMapToGgufTensors() {
        assertEquals("blk.3.attn_q.weight", HfModules.target("model.layers.3.self_attn.q_proj").ggufName());
        assertEquals("blk.0.attn_output.weight", HfModules.target("model.layers.0.self_attn.o_proj").ggufName());
        assertEquals("blk.12.ffn_gate.weight", HfModules.target("model.layers.12.mlp.gate_proj").ggufName());
        assertEquals("blk.1.ffn_down.weight", HfModules.target("model.layers.1.mlp.down_proj").ggufName());
        assertTrue(HfModules.target("model.layers.1.self_attn.k_proj").isKey());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfModules.target("lm_head")).getMessage()
                .contains("output head"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfModules.target("model.embed_tokens")).getMessage()
                .contains("token embeddings"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HfModules.target("model.layers.1.mlp.fc1")).getMessage()
                .contains("unknown LoRA module 'model.layers.1.mlp.fc1'"));
    }

    @Test
    void qkRowOrderInterleavesTheTwoHalvesOfEachHead() {
        // head_dim 4: GGUF rows 0..3 of a head are HF rows 0, 2, 1, 3 (llama.cpp LlamaModel.permute)
        int[] expected = {0, 2, 1, 3, 4, 6, 5, 7};
        for (int row = 0; row < expected.length; row++) {
            assertEquals(expected[row], QkRowPermutation.sourceRow(row, 4), "row " + row);
        }
        // head_dim 8: 0 4 1 5 2 6 3 7
        int[] eight = {0, 4, 1, 5, 2, 6, 3, 7};
        for (int row = 0; row < 8; row++) {
            assertEquals(eight[row], QkRowPermutation.sourceRow(row, 8));
        }
    }
}
