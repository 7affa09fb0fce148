package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vireo.testing.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One tokenizer shared by several threads (as one Model is by its sessions) gives the same results. */
class ConcurrentUseTest {

    @Test
    void fourThreadsGetTheSameIdsAndTexts() throws Exception {
        for (String name : List.of("llama-spm", "gpt-2")) {
            String base = "models/vocab/ggml-vocab-" + name + ".gguf";
            Tokenizer tok = TestVocabs.tokenizer(base);
            List<String> inputs = Arrays.asList(Files.readString(Shared.file(base + ".inp"), StandardCharsets.UTF_8)
                    .split("\n__ggml_vocab_test__\n"));
            List<int[]> expected = inputs.stream().map(s -> tok.encode(s, true, false)).toList();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int rep = 0; rep < 5; rep++) {
                            for (int i = 0; i < inputs.size(); i++) {
                                int k = (i + offset * 7) % inputs.size();
                                int[] ids = tok.encode(inputs.get(k), true, false);
                                assertArrayEquals(expected.get(k), ids, name + " input " + k);
                                assertEquals(tok.decode(expected.get(k)), tok.decode(ids));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
