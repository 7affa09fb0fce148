package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vireo.gguf.GgufMetadata;
import dev.vireo.gguf.GgufValue;
import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A Llama-3-sized vocabulary (128 000 tokens, ~128 000 merges, llama3 pre-tokenizer), made by
 * extending GPT-2's with merges of existing tokens: load and encode times at that scale are
 * printed (measured, not asserted) and a 10 KB text must round-trip.
 */
class LargeVocabularyTest {

    @Test
    void llama3SizedVocabulary() throws IOException {
        GgufMetadata gpt2 = TestVocabs.metadata(Shared.file("models/vocab/ggml-vocab-gpt-2.gguf"));
        List<String> tokens = new ArrayList<>(List.of(gpt2.getStringArray("tokenizer.ggml.tokens")));
        List<String> merges = new ArrayList<>(List.of(gpt2.getStringArray("tokenizer.ggml.merges")));
        Set<String> seen = new HashSet<>(tokens);
        Random r = new Random(3);
        int base = tokens.size();
        while (tokens.size() < 128_000) {
            String a = tokens.get(256 + r.nextInt(base - 257));
            String b = tokens.get(256 + r.nextInt(base - 257));
            if (a.startsWith("<|") || b.startsWith("<|") || b.startsWith("Ġ") || !seen.add(a + b)) {
                continue;
            }
            tokens.add(a + b);
            merges.add(a + " " + b);
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.ofString("llama-bpe"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens.toArray(String[]::new)));
        m.put("tokenizer.ggml.merges", GgufValue.ofStrings(merges.toArray(String[]::new)));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(50256));
        GgufMetadata meta = new GgufMetadata(m);

        long t0 = System.nanoTime();
        Tokenizer tok = Tokenizer.fromMetadata(meta);
        long t1 = System.nanoTime();

        String inp = Files.readString(Shared.file("models/vocab/ggml-vocab-gpt-2.gguf.inp"), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_000) {
            sb.append(inp.replace("__ggml_vocab_test__", "")).append(' ');
        }
        String text = sb.substring(0, 10_000);
        long best = Long.MAX_VALUE;
        int[] ids = null;
        for (int run = 0; run < 8; run++) {
            long s = System.nanoTime();
            ids = tok.encode(text, true, false);
            best = Math.min(best, System.nanoTime() - s);
        }
        System.out.printf("%d-token vocabulary with %d merges: load %.0f ms; 10 KB -> %d tokens in %.2f ms (best of 8)%n",
                tokens.size(), merges.size(), (t1 - t0) / 1e6, ids.length, best / 1e6);
        assertEquals(50256, ids[0], "llama-bpe adds BOS by default");
        int[] body = java.util.Arrays.copyOfRange(ids, 1, ids.length);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(new String(b, 0, SpaceCleaner.clean(b, b.length), StandardCharsets.UTF_8), tok.decode(body));
    }
}
