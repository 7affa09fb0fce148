package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vireo.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** B repacked into panels, and the panel up-projection against its scalar twin and plain row sums. */
class LoraUpKernelsTest {
    private static final int P = LowRankFactors.PANEL;

    @ParameterizedTest(name = "{0} rank {1}")
    @CsvSource({"F32, 1", "F32, 7", "F32, 8", "F32, 16", "F32, 33", "F16, 1", "F16, 7", "F16, 16", "F16, 33",
        "BF16, 5", "Q8_0, 32"})
    void vectorMatchesScalarTwin(GgmlType type, int rank) {
        int rows = 53; // the last panel is partial
        LowRankFactors f = factors(type, rows, rank, 50 + rank);
        float[] t = RandomWeights.vector(rank + 5, 60 + rank);
        // whole and partial panels alone, and runs of four whole panels (the 512-bit kernel's
        // four-at-a-time path) at the start, in the middle and at the end of a range
        int[][] ranges = {{0, rows}, {3, 20}, {36, 37}, {5, 5}, {P, 2 * P}, {P - 1, P + 1}, {0, rows - rows % P},
            {3, 45}, {P, 5 * P}};
        for (int[] range : ranges) {
            float[] start = RandomWeights.vector(rows + 2, 70);
            float[] got = start.clone();
            float[] want = start.clone();
            float[] wide = start.clone();
            LoraUpKernels.addPanels(f.upPanels(), rank, range[0], range[1], t, 5, got, 2, new float[P]);
            LoraUpKernels.addPanelsWide(f.upPanels(), rank, range[0], range[1], t, 5, wide, 2,
                    new float[LowRankFactors.upScratchFloats(rank)]);
            LoraUpKernels.addPanelsScalar(f.upPanels(), rank, range[0], range[1], t, 5, want, 2);
            assertWithinRounding(f, type, rank, range, t, start, want, got, "256-bit");
            assertWithinRounding(f, type, rank, range, t, start, want, wide, "512-bit");
        }
    }

    /** Rows inside the range within rounding of the twin's, rows outside unchanged. */
    private static void assertWithinRounding(LowRankFactors f, GgmlType type, int rank, int[] range, float[] t,
            float[] start, float[] want, float[] got, String kernel) {
        int rows = f.b().rows();
        for (int i = 0; i < rows + 2; i++) {
            int row = i - 2;
            boolean inside = row >= range[0] && row < range[1];
            if (!inside) {
                assertEquals(start[i], got[i], 0f, kernel + " " + type + " rank " + rank + ": row " + row
                        + " outside the range changed");
                continue;
            }
            // same exact products; float (vector) against double (twin) summation of <= 33
            // terms, then one float add to y: a few ulps of the magnitudes involved
            assertEquals(want[i], got[i], 1e-6 * magnitude(f.b(), row, t, 5, start[i]) + 1e-30,
                    kernel + " " + type + " rank " + rank + " row " + row);
        }
    }

    /** The panels hold B's values: the twin over panels equals B's dequantized rows times t. */
    @ParameterizedTest(name = "{0} rank {1}")
    @CsvSource({"F32, 3", "F16, 16", "BF16, 9", "Q8_0, 64"})
    void panelsHoldTheRowsOfB(GgmlType type, int rank) {
        int rows = 2 * P + 3;
        LowRankFactors f = factors(type, rows, rank, 90 + rank);
        float[] t = RandomWeights.vector(rank, 91);
        float[] y = new float[rows];
        LoraUpKernels.addPanelsScalar(f.upPanels(), rank, 0, rows, t, 0, y, 0);
        for (int i = 0; i < rows; i++) {
            float[] row = RandomWeights.row(f.b(), i);
            double want = 0;
            for (int k = 0; k < rank; k++) {
                want += (double) row[k] * t[k];
            }
            assertEquals(want, y[i], 1e-6 * magnitude(f.b(), i, t, 0, 0f), type + " row " + i);
        }
        // zero past the last row: a partial panel adds nothing for rows that do not exist
        float[] panels = f.upPanels();
        int last = rows / P;
        for (int k = 0; k < rank; k++) {
            for (int l = rows % P; l < P; l++) {
                assertEquals(0f, panels[LowRankFactors.panelIndex(last * P + l, k, rank)], 0f, "padding lane " + l);
            }
        }
    }

    @Test
    void factorsOfDifferentRankAreRefused() {
        WeightMatrix a = FusedLoraTest.factor(GgmlType.F32, 4, 32, 1);
        WeightMatrix b = FusedLoraTest.factor(GgmlType.F32, 8, 5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LowRankFactors(a, b));
        assertEquals("LoRA rank mismatch: A has 4 rows, B has 5 columns", e.getMessage());
    }

    private static LowRankFactors factors(GgmlType type, int rows, int rank, long seed) {
        WeightMatrix a = FusedLoraTest.factor(GgmlType.F32, rank, 32, seed + 1);
        return new LowRankFactors(a, FusedLoraTest.factor(type, rows, rank, seed));
    }

    private static double magnitude(WeightMatrix b, int row, float[] t, int tOff, float y) {
        double mag = Math.abs(y);
        float[] values = RandomWeights.row(b, row);
        for (int k = 0; k < b.cols(); k++) {
            mag += Math.abs(values[k] * t[tOff + k]);
        }
        return mag;
    }
}
