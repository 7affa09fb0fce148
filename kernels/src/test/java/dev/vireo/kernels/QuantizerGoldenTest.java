package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The quantizers write the same bytes as ggml's reference quantizers (quant_examples.json). */
class QuantizerGoldenTest {

    @ParameterizedTest
    @CsvSource({"q8_0,Q8_0", "q4_0,Q4_0", "q4_1,Q4_1", "q5_0,Q5_0", "q5_1,Q5_1"})
    void bytesEqualGgmlReference(String key, GgmlType type) {
        JsonNode all = QuantExamples.load();
        float[] x = QuantExamples.floats(all.get("x32"));
        byte[] expected = QuantExamples.hex(all.get(key).get("bytes").asText());
        MemorySegment out = Arena.ofAuto().allocate(type.bytesPerBlock());
        Quantizer.quantizeRow(type, x, 0, 32, out, 0);
        assertArrayEquals(expected, out.toArray(ValueLayout.JAVA_BYTE), key);
    }

    @ParameterizedTest
    @CsvSource({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void roundTripErrorIsWithinHalfAStep(GgmlType type) {
        Random r = new Random(11);
        int n = 256;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        MemorySegment seg = Arena.ofAuto().allocate(type.bytesFor(n));
        Quantizer.quantizeRow(type, x, 0, n, seg, 0);
        float[] back = new float[n];
        try (MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            k.dequantizeRow(new WeightMatrix(type, 1, n, seg), 0, back, 0);
        }
        for (int b = 0; b < n; b += 32) {
            float amax = 0;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = b; j < b + 32; j++) {
                amax = Math.max(amax, Math.abs(x[j]));
                min = Math.min(min, x[j]);
                max = Math.max(max, x[j]);
            }
            // One quantization step (range / levels), plus fp16 rounding of the scale: the
            // reference quantizers round to nearest, so the error stays below one step.
            float step = switch (type) {
                case F32 -> 0f;
                case F16 -> amax / 1024f;
                case BF16 -> amax / 128f;
                case Q8_0 -> amax / 127f;
                case Q4_0 -> amax / 8f;
                case Q5_0 -> amax / 16f;
                case Q4_1 -> (max - min) / 15f;
                case Q5_1 -> (max - min) / 31f;
                default -> throw new AssertionError();
            };
            for (int j = b; j < b + 32; j++) {
                assertTrue(Math.abs(back[j] - x[j]) <= step * 1.01f,
                        type + " value " + j + ": " + x[j] + " came back as " + back[j]);
            }
        }
    }

    @Test
    void rejectsPartialBlocksAndUnsupportedTypes() {
        MemorySegment seg = Arena.ofAuto().allocate(1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantizeRow(GgmlType.Q4_0, new float[40], 0, 40, seg, 0));
        assertTrue(e.getMessage().contains("40") && e.getMessage().contains("Q4_0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantizeRow(GgmlType.IQ2_XXS, new float[256], 0, 256, seg, 0));
    }
}
