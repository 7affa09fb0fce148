package dev.vireo.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Jazzer target for the GGUF parser. Under plain {@code mvn test} it replays the committed inputs
 * in {@code src/test/resources/dev/vireo/gguf/GgufFileFuzzTestInputs/parse/}; with JAZZER_FUZZ=1
 * it fuzzes (see gguf-loader/FUZZING.md). Any exception other than {@link GgufFormatException}
 * is a finding, and so is a file that parses but does not survive a {@link GgufWriter} round trip.
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
        rewriteAndCompare(f);
    }

    /** Differential check: what parses, the writer writes back, and it parses to the same content. */
    private static void rewriteAndCompare(GgufFile f) {
        GgufWriter w = new GgufWriter().addMetadata(f.metadata());
        f.tensors().forEach(w::addTensor);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            w.write(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        GgufFile g = GgufFile.parse(NAME, MemorySegment.ofArray(out.toByteArray()));
        if (!f.metadata().asMap().equals(g.metadata().asMap())
                || !java.util.List.copyOf(f.metadata().keys()).equals(java.util.List.copyOf(g.metadata().keys()))) {
            throw new AssertionError("metadata changed in a write/read round trip");
        }
        if (f.tensors().size() != g.tensors().size()) {
            throw new AssertionError("tensor count changed in a write/read round trip");
        }
        for (int i = 0; i < f.tensors().size(); i++) {
            GgufTensor a = f.tensors().get(i);
            GgufTensor b = g.tensors().get(i);
            if (!a.name().equals(b.name()) || a.type() != b.type() || !java.util.Arrays.equals(a.shape(), b.shape())
                    || a.data().mismatch(b.data()) != -1) {
                throw new AssertionError("tensor " + a.name() + " changed in a write/read round trip");
            }
        }
    }
}
