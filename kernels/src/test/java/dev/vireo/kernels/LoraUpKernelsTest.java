package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The row-range LoRA up-projection against its scalar twin and against plain sums. */
class LoraUpKernelsTest {

    @ParameterizedTest(name = "{0} rank {1}")
    @CsvSource({"F32, 1", "F32, 7", "F32, 8", "F32, 16", "F32, 33", "F16, 1", "F16, 7", "F16, 16", "F16, 33"})
    void vectorMatchesScalarTwin(GgmlType type, int rank) {
        int rows = 37;
        WeightMatrix b = FusedLoraTest.factor(type, rows, rank, 50 + rank);
        float[] t = RandomWeights.vector(rank + 5, 60 + rank);
        for (int[] range : new int[][] {{0, rows}, {3, 20}, {36, 37}, {5, 5}}) {
            float[] start = RandomWeights.vector(rows + 2, 70);
            float[] got = start.clone();
            float[] want = start.clone();
            LoraUpKernels.addRows(b, range[0], range[1], t, 5, got, 2);
            LoraUpKernels.addRowsScalar(b, range[0], range[1], t, 5, want, 2);
            for (int i = 0; i < rows + 2; i++) {
                int row = i - 2;
                boolean inside = row >= range[0] && row < range[1];
                if (!inside) {
                    assertEquals(start[i], got[i], 0f, type + " rank " + rank + ": row " + row + " outside the range changed");
                    continue;
                }
                // same exact products; float (vector) against double (twin) summation of <= 33
                // terms, then one float add to y: a few ulps of the magnitudes involved
                double mag = Math.abs(start[i]);
                float[] row16 = RandomWeights.row(b, row);
                for (int k = 0; k < rank; k++) {
                    mag += Math.abs(row16[k] * t[5 + k]);
                }
                assertEquals(want[i], got[i], 1e-6 * mag + 1e-30, type + " rank " + rank + " row " + row);
            }
        }
    }

    @Test
    void twinAddsTheDequantizedRowTimesT() {
        WeightMatrix b = FusedLoraTest.factor(GgmlType.F16, 3, 4, 81);
        float[] t = {1f, -2f, 0.5f, 4f};
        float[] y = {10f, 20f, 30f};
        LoraUpKernels.addRowsScalar(b, 0, 3, t, 0, y, 0);
        for (int i = 0; i < 3; i++) {
            float[] row = RandomWeights.row(b, i);
            double want = (i + 1) * 10.0 + row[0] - 2.0 * row[1] + 0.5 * row[2] + 4.0 * row[3];
            assertEquals(want, y[i], 1e-5, "row " + i);
        }
    }

    @Test
    void onlyFloatFactorTypesHaveTheKernel() {
        assertTrue(LoraUpKernels.supports(GgmlType.F32));
        assertTrue(LoraUpKernels.supports(GgmlType.F16));
        assertFalse(LoraUpKernels.supports(GgmlType.Q8_0));
    }
}
