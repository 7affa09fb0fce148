package dev.vireo.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Jazzer target for the GGUF parser. Under plain {@code mvn test} it replays the committed inputs
 * in {@code src/test/resources/dev/vireo/gguf/GgufFileFuzzTestInputs/parse/}; with JAZZER_FUZZ=1
 * it fuzzes (see gguf-loader/FUZZING.md). Any exception other than {@link GgufFormatException}
 * is a finding.
 */
class GgufFileFuzzTest {
    private static final Path NAME = Path.of("fuzz-input.gguf");

    @FuzzTest(maxDuration = "10m")
    void parse(byte[] input) {
        GgufFile f;
        try {
            f = GgufFile.parse(NAME, MemorySegment.ofArray(input));
        } catch (GgufFormatException expected) {
            return;
        }
        // A file that parses must also be usable: every tensor slice readable, every getter safe.
        for (GgufTensor t : f.tensors()) {
            long size = t.data().byteSize();
            if (size != t.type().bytesFor(t.elementCount()) || t.fileOffset() + size > input.length) {
                throw new AssertionError("tensor " + t.name() + " slice does not match its shape");
            }
            t.data().get(ValueLayout.JAVA_BYTE, size - 1);
        }
        f.metadata().asMap().forEach((k, v) -> v.toString());
    }
}
