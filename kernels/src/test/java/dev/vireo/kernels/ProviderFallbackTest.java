package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without jdk.incubator.vector the provider must still work: scalar kernels and one warning. */
class ProviderFallbackTest {

    /** Run in a JVM started without --add-modules jdk.incubator.vector. */
    public static void main(String[] args) {
        try (MatrixKernels k = KernelProvider.matrixKernels(2); MatrixKernels again = KernelProvider.matrixKernels(1)) {
            float[] x = new float[32];
            for (int i = 0; i < 32; i++) {
                x[i] = i - 10;
            }
            MemorySegment s = Arena.ofAuto().allocate(34);
            Quantizer.quantizeRow(GgmlType.Q8_0, x, 0, 32, s, 0);
            float[] y = new float[1];
            WeightMatrix w = new WeightMatrix(GgmlType.Q8_0, 1, 32, s);
            k.matvec(w, x, 0, y, 0, null);
            // and with a LoRA term (A = x / |x|^2, B = 1: adds exactly 1), whose classes must load too
            MemorySegment a = Arena.ofAuto().allocate(4 * 32);
            double sq = 0;
            for (float v : x) {
                sq += v * v;
            }
            for (int i = 0; i < 32; i++) {
                a.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) (x[i] / sq));
            }
            MemorySegment b = Arena.ofAuto().allocate(4);
            b.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 1f);
            LowRankSet lora = new LowRankSet(java.util.List.of(new LowRank(new WeightMatrix(GgmlType.F32, 1, 32, a),
                    new WeightMatrix(GgmlType.F32, 1, 1, b), 1f)), 1, 32, 1);
            float[] z = new float[1];
            k.matvec(w, x, 0, z, 0, lora);
            System.out.println(k.description() + "|" + again.description() + "|" + (y[0] > 0) + "|"
                    + (Math.abs(z[0] - y[0] - 1f) < 1e-3f));
        }
    }

    @Test
    void scalarKernelsAndOneWarningWithoutTheVectorModule() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ProviderFallbackTest.class.getName()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertEquals("scalar fallback|scalar fallback|true|true", out);
        assertEquals(1, err.split("Vector API is absent", -1).length - 1, "exactly one warning: " + err);
    }
}
