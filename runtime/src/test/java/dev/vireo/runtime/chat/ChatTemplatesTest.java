package dev.vireo.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;
import dev.vireo.testing.Shared;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplatesTest {
    @Test
    void modelWithoutTemplateOrChatTokensContinuesPlainText() throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            ChatTemplate t = ChatTemplates.forModel(f.metadata(), w -> { throw new AssertionError(w); });
            assertEquals("plain", t.name());
        }
    }

    @Test
    void vocabularyPointsToTheFormatWhenThereIsNoTemplate() {
        GgufMetadata m = metadata(null, "<|endoftext|>", "<|im_start|>", "<|im_end|>");
        assertEquals("chatml", ChatTemplates.forModel(m, w -> {}).name());
        m = metadata(null, "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
        assertEquals("llama3", ChatTemplates.forModel(m, w -> {}).name());
        m = metadata(null, "<bos>", "<start_of_turn>", "<end_of_turn>");
        assertEquals("gemma", ChatTemplates.forModel(m, w -> {}).name());
    }

    @Test
    void unrenderableTemplateFallsBackToTheSimilarBuiltinWithAWarning() {
        String broken = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if %}";
        GgufMetadata m = metadata(broken, "<s>", "</s>");
        List<String> warnings = new ArrayList<>();
        ChatTemplate t = ChatTemplates.forModel(m, warnings::add);
        assertEquals("chatml", t.name());
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().startsWith("the model's chat template cannot be rendered"), warnings.getFirst());
    }

    @Test
    void workingTemplateIsUsedWithTheModelsTokenTexts() {
        GgufMetadata m = metadata("{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{{ eos_token }}",
                "<unk>", "<s>", "</s>");
        ChatTemplate t = ChatTemplates.forModel(m, w -> { throw new AssertionError(w); });
        assertEquals("gguf", t.name());
        assertEquals("<s>[user]hi</s>", t.render(List.of(ChatMessage.user("hi")), true));
    }

    /** Metadata with the given template (or none) and vocabulary; BOS is token 1, EOS token 2 when present. */
    static GgufMetadata metadata(String template, String... vocab) {
        Map<String, GgufValue> v = new LinkedHashMap<>();
        v.put("tokenizer.ggml.tokens", GgufValue.ofStrings(vocab));
        if (vocab.length > 2) {
            v.put("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(1));
            v.put("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(2));
        }
        if (template != null) {
            v.put("tokenizer.chat_template", GgufValue.ofString(template));
        }
        return new GgufMetadata(v);
    }
}
