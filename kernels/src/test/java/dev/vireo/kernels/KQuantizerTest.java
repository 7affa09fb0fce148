package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.testing.Shared;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The K-quant quantizers have no reference bytes (ggml's search is not reproduced bit for bit),
 * so these tests bound what they must achieve: a round trip through {@link Blocks#dequantize}
 * close to the input, closer than a plain min/max fill of the same format, exact on values that
 * already are a K-quant block, and finite on awkward input.
 */
class KQuantizerTest {

    /**
     * Relative RMS error (error RMS / value RMS) allowed per type. Rounding to a grid of step h
     * costs h / sqrt(12) RMS; a group's range is about 4 standard deviations for Gaussian groups of
     * 16-32 values, more with outliers, so e.g. Q4_K (16 levels): 4 / 15 / sqrt(12) = 0.077, 0.09
     * with outliers. Q6_K/Q3_K are symmetric around 0 (the group abs-max sets the step), Q2_K has
     * only 4 levels. The bounds are those estimates for the outlier data plus about 10 %.
     */
    private static double bound(GgmlType t) {
        return switch (t) {
            case Q2_K -> 0.32;
            case Q3_K -> 0.21;
            case Q4_K -> 0.10;
            case Q5_K -> 0.052;
            case Q6_K -> 0.030;
            default -> throw new AssertionError(t);
        };
    }

    @ParameterizedTest
    @CsvSource({"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void roundTripIsWithinBoundAndBeatsPlainMinMax(GgmlType type) {
        for (KQuantData.Kind kind : KQuantData.Kind.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                float[] x = kind.values(256 * 40, seed);
                double rx = KQuantData.rms(x);
                double err = KQuantData.rmsError(x, KQuantData.roundTrip(type, x)) / rx;
                double plain = KQuantData.rmsError(x, KQuantData.baseline(type, x)) / rx;
                String what = type + " " + kind + " seed " + seed + ": relative RMS " + err + ", plain min/max " + plain;
                assertTrue(err < bound(type), what);
                assertTrue(err < plain, what);
            }
        }
    }

    /**
     * Values that already are one dequantized block of a real llama.cpp file (tiny-llama-*) must
     * come back unchanged: the scale search lands on the block's grid. Measured: Q4_K 6907, Q5_K
     * 6774, Q6_K 6910 of 6912 blocks exact. The others (mostly Q5_K) land on a grid one level
     * narrower or shifted, whose 6-bit scale/min rounding moves some values; each value still
     * stays within half the block's largest level step.
     */
    @ParameterizedTest
    @CsvSource({"Q4_K,0.995", "Q5_K,0.97", "Q6_K,0.995"})
    void requantizingRealBlocksGivesThemBack(GgmlType type, double exactShare) throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/synthetic/tiny-llama-" + type + ".gguf"))) {
            long blocks = 0;
            long exact = 0;
            float[] x = new float[256];
            for (GgufTensor t : f.tensors()) {
                if (t.type() != type) {
                    continue;
                }
                MemorySegment data = t.data();
                long n = data.byteSize() / type.bytesPerBlock();
                for (long b = 0; b < n; b++) {
                    long off = b * type.bytesPerBlock();
                    Blocks.dequantize(type, data, off, x, 0);
                    float[] y = KQuantData.roundTrip(type, x);
                    double step = largestStep(type, data, off);
                    boolean same = true;
                    for (int i = 0; i < 256; i++) {
                        same &= x[i] == y[i];
                        assertTrue(Math.abs(x[i] - y[i]) <= 0.5 * step + 1e-7,
                                t.name() + " block " + b + " value " + i + ": " + x[i] + " came back as " + y[i]);
                    }
                    blocks++;
                    exact += same ? 1 : 0;
                }
            }
            assertTrue(blocks > 6000, "blocks seen: " + blocks);
            assertTrue(exact >= exactShare * blocks, type + ": " + exact + " of " + blocks + " blocks exact");
        }
    }

    /** The largest level step of any sub-block: d * max(sc) (Q4_K, Q5_K) or |d| * max|sc| (Q6_K). */
    private static double largestStep(GgmlType type, MemorySegment s, long off) {
        int max = 0;
        if (type == GgmlType.Q6_K) {
            for (int j = 0; j < 16; j++) {
                max = Math.max(max, Math.abs(Blocks.i8(s, off + 192 + j)));
            }
            return Math.abs(Blocks.f16(s, off + 208)) * max;
        }
        for (int j = 0; j < 8; j++) {
            max = Math.max(max, Blocks.scaleK4(s, off + 4, j));
        }
        return Blocks.f16(s, off) * max;
    }

    @ParameterizedTest
    @CsvSource({"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void awkwardInputStaysFinite(GgmlType type) {
        float[] zero = new float[512];
        assertEquals(0.0, maxAbs(KQuantData.roundTrip(type, zero)), type + " all zero");

        for (float c : new float[] {0.25f, -0.25f}) {
            float[] constant = new float[256];
            Arrays.fill(constant, c);
            float[] back = KQuantData.roundTrip(type, constant);
            // one level step of a scale that is itself rounded to 6 bits: within 2 % of c
            for (float v : back) {
                assertEquals(c, v, 0.02 * Math.abs(c), type + " constant " + c);
            }
        }

        float[] outlier = KQuantData.Kind.GAUSSIAN.values(256, 9);
        outlier[77] = 1000f;
        float[] back = KQuantData.roundTrip(type, outlier);
        assertFinite(type + " outlier", back);
        // the outlier sets the step of its group; it keeps itself within one such step
        assertEquals(1000f, back[77], 1000f / 3, type + " outlier value");

        float[] negative = KQuantData.Kind.UNIFORM.values(512, 4);
        for (int i = 0; i < negative.length; i++) {
            negative[i] = -Math.abs(negative[i]) - 0.01f;
        }
        back = KQuantData.roundTrip(type, negative);
        assertFinite(type + " negative", back);
        assertTrue(KQuantData.rmsError(negative, back) / KQuantData.rms(negative) < bound(type), type + " negative-only");

        // below the fp16 range of the super scales: everything may flush to 0, nothing may blow up
        for (float tiny : new float[] {1e-9f, 1e-30f, Float.MIN_VALUE * 3}) {
            float[] small = KQuantData.Kind.GAUSSIAN.values(256, 2);
            for (int i = 0; i < small.length; i++) {
                small[i] *= tiny / 0.02f;
            }
            back = KQuantData.roundTrip(type, small);
            assertFinite(type + " tiny " + tiny, back);
            assertTrue(maxAbs(back) <= 2 * maxAbs(small) + 1e-7, type + " tiny " + tiny + " grew to " + maxAbs(back));
        }

        // above it: the super scale saturates at the largest finite fp16 instead of becoming Inf
        float[] huge = KQuantData.Kind.GAUSSIAN.values(256, 3);
        for (int i = 0; i < huge.length; i++) {
            huge[i] *= 1e30f;
        }
        assertFinite(type + " huge", KQuantData.roundTrip(type, huge));
    }

    @Test
    void rowsThatAreNotWholeSuperBlocksAreRefused() {
        MemorySegment seg = Arena.ofAuto().allocate(4096);
        for (GgmlType type : KQuantData.TYPES) {
            assertTrue(Quantizer.supports(type));
            var e = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantizeRow(type, new float[288], 0, 288, seg, 0));
            assertEquals("row length 288 is not a multiple of the " + type + " block size 256", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantizeRow(GgmlType.IQ4_XS, new float[256], 0, 256, seg, 0));
        assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains("Q6_K"), e.getMessage());
    }

    @Test
    void writesAtTheGivenOffsetsOnly() {
        float[] x = KQuantData.Kind.GAUSSIAN.values(3 * 256, 8);
        for (GgmlType type : KQuantData.TYPES) {
            long bb = type.bytesPerBlock();
            MemorySegment seg = Arena.ofAuto().allocate(bb * 4);
            seg.fill((byte) 0x5A);
            // source offset 256, two super-blocks, written after one block's worth of bytes
            Quantizer.quantizeRow(type, x, 256, 512, seg, bb);
            for (long i = 0; i < bb; i++) {
                assertEquals(0x5A, Blocks.u8(seg, i), type + " byte " + i + " before the row");
                assertEquals(0x5A, Blocks.u8(seg, 3 * bb + i), type + " byte after the row");
            }
            float[] direct = KQuantData.roundTrip(type, Arrays.copyOfRange(x, 256, 768));
            float[] back = new float[512];
            Blocks.dequantize(type, seg, bb, back, 0);
            Blocks.dequantize(type, seg, 2 * bb, back, 256);
            assertEquals(0, Arrays.compare(direct, back), type.toString());
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static void assertFinite(String what, float[] a) {
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), what + ": value " + i + " is " + a[i]);
        }
    }
}
