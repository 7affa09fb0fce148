package dev.vireo.gguf;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Jazzer target for the safetensors parser. Under plain {@code mvn test} it replays the committed
 * inputs in {@code src/test/resources/dev/vireo/gguf/SafetensorsFileFuzzTestInputs/parse/}; with
 * JAZZER_FUZZ=1 it fuzzes (see gguf-loader/FUZZING.md). Any exception other than
 * {@link GgufFormatException} is a finding.
 */
class SafetensorsFileFuzzTest {
    private static final Path NAME = Path.of("fuzz-input.safetensors");

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"",
            "\"BF16\"", "\"F4\"", "\"I64\"", "9223372036854775807", "18446744073709551616", "-1", "1e3"})
    void parse(byte[] input) {
        SafetensorsFile f;
        try {
            f = SafetensorsFile.parse(NAME, MemorySegment.ofArray(input));
        } catch (GgufFormatException expected) {
            return;
        }
        for (SafetensorsTensor t : f.tensors()) {
            long size = t.data().byteSize();
            if (size * 8 != t.elementCount() * t.dtype().bits() || t.fileOffset() + size > input.length) {
                throw new AssertionError("tensor " + t.name() + " slice does not match its shape");
            }
            if (size > 0) {
                t.data().get(ValueLayout.JAVA_BYTE, size - 1);
            }
            if (t.dtype().isFloatReadable() && t.elementCount() < 1_000_000) {
                t.toFloats();
            }
            t.ggmlShape();
        }
    }
}
