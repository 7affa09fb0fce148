package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds broken copies of shared files for refusal tests. */
final class TestFiles {
    private TestFiles() {}

    /** A copy of {@code src} with every occurrence of {@code from} replaced by the same-length {@code to}. */
    static Path patchedCopy(Path src, Path dst, String from, String to) throws IOException {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(f.length, t.length, "patch must keep the length");
        byte[] data = Files.readAllBytes(src);
        int hits = 0;
        outer:
        for (int i = 0; i + f.length <= data.length; i++) {
            for (int j = 0; j < f.length; j++) {
                if (data[i + j] != f[j]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, data, i, t.length);
            hits++;
        }
        assertTrue(hits > 0, "'" + from + "' not found in " + src);
        Files.write(dst, data);
        return dst;
    }
}
