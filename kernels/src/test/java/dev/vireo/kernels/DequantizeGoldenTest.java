package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vireo.gguf.GgmlType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dequantization must reproduce ggml's values bit for bit (quant_examples.json). */
class DequantizeGoldenTest {

    @ParameterizedTest
    @CsvSource({"q8_0,Q8_0", "q4_0,Q4_0", "q4_1,Q4_1", "q5_0,Q5_0", "q5_1,Q5_1", "iq4_nl,IQ4_NL", "q2_k,Q2_K",
            "q3_k,Q3_K", "q4_k,Q4_K", "q5_k,Q5_K", "q6_k,Q6_K", "iq4_xs,IQ4_XS"})
    void dequantizesLikeGgml(String key, GgmlType type) {
        JsonNode ex = QuantExamples.load().get(key);
        byte[] bytes = QuantExamples.hex(ex.get("bytes").asText());
        assertEquals(type.bytesPerBlock(), bytes.length, "example block size");
        float[] expected = QuantExamples.floats(ex.get("dequant"));
        WeightMatrix w = new WeightMatrix(type, 1, type.blockSize(), QuantExamples.segment(bytes));
        float[] out = new float[type.blockSize()];
        try (MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            k.dequantizeRow(w, 0, out, 0);
        }
        for (int i = 0; i < out.length; i++) {
            // == and not Float.equals: ggml produces -0.0 where a zero scale meets a negative quant.
            assertTrue(expected[i] == out[i], key + " value " + i + ": expected " + expected[i] + " got " + out[i]);
        }
    }

    @ParameterizedTest
    @CsvSource({"f16", "bf16"})
    void halfFloatConversionsMatchGgml(String key) {
        for (JsonNode e : QuantExamples.load().get(key)) {
            float f = (float) e.get("f32").asDouble();
            int bits = Integer.parseInt(e.get(key + "_bits").asText(), 16);
            float value = (float) e.get(key + "_value").asDouble();
            short got = key.equals("f16") ? Halves.floatToF16(f) : Halves.floatToBf16(f);
            assertEquals(bits, got & 0xFFFF, key + " bits of " + f);
            float back = key.equals("f16") ? Halves.f16ToFloat((short) bits) : Halves.bf16ToFloat((short) bits);
            assertEquals(value, back, 0f, key + " value of bits " + Integer.toHexString(bits));
        }
    }
}
