package dev.vireo.cli;

import dev.vireo.gguf.GgmlType;
import dev.vireo.kernels.Quantizer;
import dev.vireo.kernels.WorkerPool;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/**
 * Writes the data of a synthetic tensor (a model's or an adapter's): rows of values drawn by the
 * caller, quantized to the tensor's type, in batches of about a million values so that a wide
 * tensor never needs all its floats at once.
 */
final class RandomRowsWriter {
    private RandomRowsWriter() {}

    /** Values per batch: bounds the buffers, and splits well over the threads. */
    private static final int BATCH_VALUES = 1 << 20;

    /** Fills {@code values[0 .. count)} with the next values of the tensor, row after row. */
    interface Draw {
        void fill(float[] values, int count);
    }

    /**
     * @param pool quantizes the rows of a batch side by side (the K-quant scale search costs ~10x
     *     the drawing of the values), or null for the calling thread alone
     * @param written told the bytes written so far after each batch
     */
    static void write(GgmlType type, int cols, long rows, Draw draw, WorkerPool pool, OutputStream out,
            LongConsumer written) throws IOException {
        int rowBytes = (int) type.bytesFor(cols);
        int batch = (int) Math.max(1, Math.min(rows, BATCH_VALUES / cols));
        float[] values = new float[batch * cols];
        byte[] bytes = new byte[batch * rowBytes];
        MemorySegment dst = MemorySegment.ofArray(bytes);
        long total = 0;
        for (long r0 = 0; r0 < rows; r0 += batch) {
            int n = (int) Math.min(batch, rows - r0);
            draw.fill(values, n * cols);
            if (pool == null) {
                quantize(type, values, cols, dst, rowBytes, 0, n);
            } else {
                pool.parallelFor(n, (from, to, worker) -> quantize(type, values, cols, dst, rowBytes, from, to));
            }
            out.write(bytes, 0, n * rowBytes);
            total += (long) n * rowBytes;
            written.accept(total);
        }
    }

    private static void quantize(GgmlType type, float[] values, int cols, MemorySegment dst, int rowBytes, int from,
            int to) {
        for (int r = from; r < to; r++) {
            Quantizer.quantizeRow(type, values, r * cols, cols, dst, (long) r * rowBytes);
        }
    }
}
