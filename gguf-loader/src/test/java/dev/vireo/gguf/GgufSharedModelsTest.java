package dev.vireo.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every GGUF file of the team's shared models folder loads, with published facts asserted. */
class GgufSharedModelsTest {

    @Test
    void everySharedGgufLoadsAndEveryTensorIsReadable() throws IOException {
        Path models = Shared.file("models");
        List<Path> files;
        try (Stream<Path> s = Files.walk(models)) {
            files = s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        assertTrue(files.size() >= 24, "expected the shared models, found " + files);
        for (Path p : files) {
            try (GgufFile f = GgufFile.open(p)) {
                assertTrue(f.version() == 2 || f.version() == 3, p.toString());
                assertTrue(f.metadata().has("general.architecture") || f.metadata().has("tokenizer.ggml.model"), p.toString());
                long end = f.dataOffset();
                for (GgufTensor t : f.tensors()) {
                    assertEquals(t.type().bytesFor(t.elementCount()), t.byteSize(), t.name());
                    assertEquals(0, (t.fileOffset() - f.dataOffset()) % f.alignment(), t.name());
                    t.data().get(ValueLayout.JAVA_BYTE, t.byteSize() - 1);
                    end = Math.max(end, t.fileOffset() + t.byteSize());
                }
                assertTrue(end <= f.fileSize(), p.toString());
                if (f.tensors().isEmpty()) {
                    assertEquals(f.fileSize(), f.dataOffset(), "vocab-only file runs to its end: " + p);
                }
            }
        }
    }

    @Test
    void stories260KHasItsPublishedShape() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.file("models/stories260K.gguf"))) {
            GgufMetadata m = f.metadata();
            assertEquals(48, f.tensors().size());
            assertEquals(19, m.size());
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(64, m.getInt("llama.embedding_length"));
            assertEquals(5, m.getInt("llama.block_count"));
            assertEquals(8, m.getInt("llama.attention.head_count"));
            assertEquals(4, m.getInt("llama.attention.head_count_kv"));
            assertEquals(172, m.getInt("llama.feed_forward_length"));
            assertEquals(2048, m.getInt("llama.context_length"));
            assertEquals(512, m.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(1e-5f, m.getFloat("llama.attention.layer_norm_rms_epsilon"), 1e-9f);
            // 2 (token_embd, output) + output_norm + 5 blocks x 9 tensors
            assertEquals(48, 3 + 5 * 9);
            assertArrayEquals(new long[] {64, 512}, f.tensor("token_embd.weight").shape());
            assertArrayEquals(new long[] {64, 172}, f.tensor("blk.4.ffn_gate.weight").shape());
            assertArrayEquals(new long[] {172, 64}, f.tensor("blk.4.ffn_down.weight").shape());
            assertArrayEquals(new long[] {64, 32}, f.tensor("blk.0.attn_k.weight").shape());
            for (GgufTensor t : f.tensors()) {
                assertEquals(GgmlType.F32, t.type(), t.name());
            }
        }
    }

    @Test
    void contextLengthVariantDiffersOnlyThere() throws IOException {
        try (GgufFile a = GgufFile.open(Shared.file("models/stories260K.gguf"));
                GgufFile b = GgufFile.open(Shared.file("models/stories260Ktok512.gguf"))) {
            assertEquals(128, b.metadata().getInt("llama.context_length"));
            assertEquals(a.tensors().size(), b.tensors().size());
            for (GgufTensor t : a.tensors()) {
                assertEquals(-1, t.data().mismatch(b.tensor(t.name()).data()), t.name());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "vocab/ggml-vocab-llama-spm.gguf, 32000, llama",
        "vocab/ggml-vocab-phi-3.gguf, 32064, llama",
        "vocab/ggml-vocab-gpt-2.gguf, 50257, gpt2",
        "vocab/ggml-vocab-deepseek-coder.gguf, 32256, gpt2",
        "llama-2-tiny-random.gguf, 32000, llama",
    })
    void vocabulariesHaveTheirTokenCounts(String file, int tokens, String model) throws IOException {
        try (GgufFile f = GgufFile.open(Shared.file("models/" + file))) {
            assertEquals(tokens, f.metadata().getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(model, f.metadata().getString("tokenizer.ggml.model"));
            if (file.startsWith("vocab/")) {
                assertEquals(0, f.tensors().size());
                assertFalse(f.metadata().has(GgufFile.ALIGNMENT_KEY));
            }
        }
    }
}
