package dev.vireo.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The benchmark weights must be valid blocks of their type, or the GB/s figures mean nothing. */
class RandomWeightsTest {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};

    @Test
    void everyTypeDequantizesToFiniteWeightSizedValuesAndRowsRepeatThePattern() {
        int rows = RandomWeights.DISTINCT_ROWS * 2 + 3; // repeats plus a partial pattern at the end
        int cols = 512;
        try (Arena arena = Arena.ofConfined(); MatrixKernels k = KernelProvider.scalarMatrixKernels(1)) {
            for (GgmlType type : TYPES) {
                WeightMatrix w = RandomWeights.matrix(type, rows, cols, arena, 1);
                float[] row = new float[cols];
                float[] again = new float[cols];
                double sumSquares = 0;
                for (int r = 0; r < RandomWeights.DISTINCT_ROWS; r++) {
                    k.dequantizeRow(w, r, row, 0);
                    for (float v : row) {
                        assertTrue(Float.isFinite(v), type + " row " + r + " has " + v);
                        sumSquares += v * v;
                    }
                }
                double rms = Math.sqrt(sumSquares / (RandomWeights.DISTINCT_ROWS * cols));
                // trained-weight magnitude: far from 0 and far from the f16 range
                assertTrue(rms > 1e-3 && rms < 1, type + " weights have rms " + rms);
                // the last row lies in the partial copy of the pattern: it must equal row 2
                k.dequantizeRow(w, 2, row, 0);
                k.dequantizeRow(w, rows - 1, again, 0);
                assertArrayEquals(row, again, type + " row " + (rows - 1) + " repeats row 2");
            }
        }
    }

    @Test
    void shapesParseAsRowsByCols() {
        assertEquals(new Shape(128256, 2048), Shape.parse("128256x2048"));
        assertThrows(IllegalArgumentException.class, () -> Shape.parse("2048"));
    }
}
