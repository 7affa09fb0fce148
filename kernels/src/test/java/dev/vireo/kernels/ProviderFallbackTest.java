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
            k.matvec(new WeightMatrix(GgmlType.Q8_0, 1, 32, s), x, 0, y, 0, null);
            System.out.println(k.description() + "|" + again.description() + "|" + (y[0] > 0));
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
        assertEquals("scalar fallback|scalar fallback|true", out);
        assertEquals(1, err.split("Vector API is absent", -1).length - 1, "exactly one warning: " + err);
    }
}
