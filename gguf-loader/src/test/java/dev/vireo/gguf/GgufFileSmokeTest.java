package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vireo.testing.Shared;
import org.junit.jupiter.api.Test;

class GgufFileSmokeTest {
    @Test
    void stories260KLoadsWithItsPublishedShape() throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            GgufMetadata m = f.metadata();
            assertEquals(48, f.tensors().size());
            assertEquals(19, m.size());
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(64, m.getInt("llama.embedding_length"));
            assertEquals(5, m.getInt("llama.block_count"));
            assertEquals(8, m.getInt("llama.attention.head_count"));
            assertEquals(4, m.getInt("llama.attention.head_count_kv"));
            assertEquals(512, m.getStringArray("tokenizer.ggml.tokens").length);
            GgufTensor emb = f.tensor("token_embd.weight");
            assertEquals(64, emb.cols());
            assertEquals(512, emb.rows());
            assertEquals(GgmlType.F32, emb.type());
            assertEquals(64L * 512 * 4, emb.byteSize());
        }
    }
}
