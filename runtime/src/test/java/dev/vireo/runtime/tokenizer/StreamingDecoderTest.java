package dev.vireo.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming decoder never emits half a character and agrees with whole-buffer UTF-8 decoding. */
class StreamingDecoderTest {

    /**
     * Random bytes (mostly ill-formed) fed one at a time decode like Java's decoder on the whole
     * array. The one place where Java departs from the Unicode "maximal subpart" practice (and from
     * Python, which produced the golden texts) is ED followed by A0..BF, an encoded surrogate: those
     * are left out here and checked against Python's output below.
     */
    @Test
    void byteByByteEqualsWholeDecodingOnRandomBytes() {
        Random r = new Random(42);
        for (int size = 1; size <= 301; size += 6) {
            for (int rep = 0; rep < 20; rep++) {
                byte[] bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    // bias towards bytes that form or almost form sequences
                    int kind = r.nextInt(4);
                    bytes[i] = (byte) switch (kind) {
                        case 0 -> r.nextInt(0x80);
                        case 1 -> 0x80 + r.nextInt(0x40);
                        case 2 -> 0xC0 + r.nextInt(0x40);
                        default -> r.nextInt(256);
                    };
                    if (i > 0 && bytes[i - 1] == (byte) 0xED && (bytes[i] & 0xFF) >= 0xA0 && (bytes[i] & 0xFF) <= 0xBF) {
                        bytes[i] = (byte) 0x9F;
                    }
                }
                assertEquals(new String(bytes, StandardCharsets.UTF_8), stream(bytes), () -> "bytes " + Arrays.toString(bytes));
            }
        }
    }

    @Test
    void wellFormedTextSurvivesAnySplit() {
        String text = "Grüße, 世界! 🦙🚀 naïve café ½ ĀāĂ \u0000 end";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(text, stream(bytes));
    }

    /** Expected strings from Python's bytes.decode("utf-8", "replace"), the decoder of the golden texts. */
    @Test
    void illFormedSequencesAreReplacedLikePython() {
        assertEquals("\uFFFD\uFFFD\uFFFD", stream(bytes(0xED, 0xA0, 0x80)));       // encoded surrogate
        assertEquals("\uFFFD\uFFFD", stream(bytes(0xC0, 0xAF)));                   // overlong '/'
        assertEquals("\uFFFD\uFFFD\uFFFD", stream(bytes(0xE0, 0x80, 0xAF)));       // overlong
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", stream(bytes(0xF4, 0x90, 0x80, 0x80))); // above U+10FFFF
        assertEquals("\uFFFD", stream(bytes(0xF0, 0x9F, 0xA6)));                    // truncated at the end
        assertEquals("\uFFFDa", stream(bytes(0xE2, 0x82, 'a')));                    // truncated before ASCII
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD[", stream(bytes(0xED, 0xA2, 0x92, 0xE6, 0xE8, '[')));
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** An emoji outside the Llama 2 vocabulary is four byte-fallback tokens: nothing shows until the fourth. */
    @Test
    void characterSplitAcrossByteFallbackTokens() {
        Tokenizer tok = TestVocabs.tokenizer("models/vocab/ggml-vocab-llama-spm.gguf");
        int[] ids = tok.encode("a🦙b", false, false);
        int first = -1;
        for (int i = 0; i < ids.length; i++) {
            if (tok.tokenText(ids[i]).startsWith("<0x")) {
                first = i;
                break;
            }
        }
        assertTrue(first >= 0, "the llama emoji needs byte fallback: " + Arrays.toString(ids));
        assertEquals("<0xF0>", tok.tokenText(ids[first]));
        assertEquals(Arrays.asList("<0xF0>", "<0x9F>", "<0xA6>", "<0x99>"),
                Arrays.stream(ids, first, first + 4).mapToObj(tok::tokenText).toList());
        TokenDecoder d = tok.newDecoder();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            String s = d.accept(ids[i]);
            if (i >= first && i < first + 3) {
                assertEquals("", s, "no half character after token " + i);
            }
            if (i == first + 3) {
                assertEquals("🦙", s);
            }
            all.append(s);
        }
        all.append(d.flush());
        assertEquals(" a🦙b", all.toString());
        assertEquals("a🦙b", tok.decode(ids));
    }

    /** A stream cut inside a character: flush gives the replacement character, as the whole decoding would. */
    @Test
    void flushReplacesAnUnfinishedCharacter() {
        Tokenizer tok = TestVocabs.tokenizer("models/vocab/ggml-vocab-llama-spm.gguf");
        int f0 = tok.encode("\u00f0", false, false).length; // sanity: vocabulary loaded
        assertTrue(f0 > 0);
        int b0 = idOf(tok, "<0xF0>");
        int b1 = idOf(tok, "<0x9F>");
        TokenDecoder d = tok.newDecoder();
        assertEquals("", d.accept(b0));
        assertEquals("", d.accept(b1));
        assertEquals("\uFFFD", d.flush());
        assertEquals("", d.flush());
        assertEquals("\uFFFD", tok.decode(new int[] {b0, b1}));
    }

    /** The generation loop's path: whole-character tokens come back as Strings prepared at load. */
    @Test
    void acceptAllocatesNothingForWholeCharacterTokens() {
        Tokenizer tok = TestVocabs.tokenizer("models/stories260K.gguf");
        int[] ids = tok.encode("Once upon a time, there was a little girl named Lily.", false, false);
        TokenDecoder d = tok.newDecoder();
        assertTrue(d.accept(ids[1]) == d.accept(ids[1]), "the same String instance each time");
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int warm = 0; warm < 20_000; warm++) {
            sink += d.accept(ids[warm % ids.length]).length();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += d.accept(ids[i % ids.length]).length();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(sink > 0);
        assertTrue(allocated < 1024, allocated + " bytes allocated by 100000 accept calls");
    }

    static int idOf(Tokenizer tok, String text) {
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (tok.tokenText(id).equals(text)) {
                return id;
            }
        }
        throw new AssertionError("no token " + text);
    }

    private static String stream(byte[] bytes) {
        Utf8Accumulator acc = new Utf8Accumulator();
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            acc.accept(b, out);
        }
        acc.finish(out);
        return out.toString();
    }
}
