package dev.vireo.jmh;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.Quantizer;
import dev.vireo.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Weight matrices of any supported type filled with valid random blocks, for benchmarks.
 *
 * <p>Types the {@link Quantizer} writes get quantized Gaussian floats (so scales and nibbles look
 * like real weights); K-quants get random bytes with small positive f16 super-block scales. Only
 * the first {@link #DISTINCT_ROWS} rows are generated, the rest repeat them: the values do not
 * change the speed of a memory-bound kernel, and setup stays fast for 128256-row matrices.
 */
final class RandomWeights {
    static final int DISTINCT_ROWS = 64;

    private RandomWeights() {}

    /** A {@code rows x cols} matrix of {@code type} in {@code arena}, reproducible from {@code seed}. */
    static WeightMatrix matrix(GgmlType type, int rows, int cols, Arena arena, long seed) {
        long rowBytes = type.bytesFor(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        SplittableRandom random = new SplittableRandom(seed);
        int distinct = Math.min(rows, DISTINCT_ROWS);
        float[] values = new float[cols];
        for (int r = 0; r < distinct; r++) {
            fillRow(type, cols, random, values, data, r * rowBytes);
        }
        long patternBytes = distinct * rowBytes;
        for (long done = patternBytes, total = rowBytes * rows; done < total; done += patternBytes) {
            MemorySegment.copy(data, 0, data, done, Math.min(patternBytes, total - done));
        }
        return new WeightMatrix(type, rows, cols, data);
    }

    /** {@code n} Gaussian floats with standard deviation {@code sigma}. */
    static float[] floats(int n, float sigma, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (gaussian(random) * sigma);
        }
        return out;
    }

    private static void fillRow(GgmlType type, int cols, SplittableRandom random, float[] values,
            MemorySegment data, long offset) {
        if (Quantizer.supports(type)) {
            for (int i = 0; i < cols; i++) {
                values[i] = (float) (gaussian(random) * 0.02); // the spread of trained LLM weights
            }
            Quantizer.quantizeRow(type, values, 0, cols, data, offset);
            return;
        }
        int blockBytes = type.bytesPerBlock();
        int blocks = cols / type.blockSize();
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * blockBytes;
            for (int i = 0; i < blockBytes; i++) {
                data.set(ValueLayout.JAVA_BYTE, block + i, (byte) random.nextInt(256));
            }
            switch (type) {
                // d and dmin (f16) lead the block; the 6-bit scales and the quants may be anything
                case Q4_K, Q5_K -> {
                    setHalf(data, block, 0.0005f + random.nextFloat() * 0.001f);
                    setHalf(data, block + 2, 0.0005f + random.nextFloat() * 0.001f);
                }
                // d (f16) ends the block; the int8 sub-block scales and the quants may be anything
                case Q6_K -> setHalf(data, block + 208, 0.0001f + random.nextFloat() * 0.0002f);
                default -> throw new IllegalArgumentException("no random-weight recipe for " + type);
            }
        }
    }

    private static void setHalf(MemorySegment data, long offset, float value) {
        data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset,
                Float.floatToFloat16(value));
    }

    private static double gaussian(SplittableRandom random) {
        return random.nextGaussian();
    }
}
