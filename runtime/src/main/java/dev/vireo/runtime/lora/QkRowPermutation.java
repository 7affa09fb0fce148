package dev.vireo.runtime.lora;

import java.lang.foreign.MemorySegment;

/**
 * The row order llama.cpp's converter gives Q and K weights of llama-architecture models
 * ({@code LlamaModel.permute}): HF checkpoints store each head's rows so that RoPE can rotate
 * halves, GGUF stores them so that it rotates adjacent pairs. Within each head of {@code hd} rows,
 * GGUF row {@code 2j + t} is HF row {@code t * hd/2 + j} ({@code t} in {0, 1}, {@code j < hd/2}).
 *
 * <p>A PEFT lora_B of q_proj / k_proj must be reordered the same way before it meets a GGUF base
 * ({@code P (B A) = (P B) A}, so lora_A stays as it is).
 */
final class QkRowPermutation {
    private QkRowPermutation() {}

    /** The HF row that becomes GGUF row {@code ggufRow} when every head has {@code headDim} rows. */
    static int sourceRow(int ggufRow, int headDim) {
        int head = ggufRow / headDim;
        int within = ggufRow % headDim;
        int j = within / 2;
        int t = within % 2;
        return head * headDim + t * (headDim / 2) + j;
    }

    /**
     * Copies {@code rows} rows of {@code rowBytes} bytes from {@code src} (HF order) to {@code dst}
     * (GGUF order).
     *
     * @throws IllegalArgumentException if the rows do not split into {@code heads} heads of an even size
     */
    static void permuteRows(MemorySegment src, MemorySegment dst, int rows, long rowBytes, int heads, String what) {
        if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new IllegalArgumentException(what + ": " + rows + " rows do not split into " + heads
                    + " heads of an even size, so the llama Q/K row order cannot be applied");
        }
        int headDim = rows / heads;
        for (int row = 0; row < rows; row++) {
            MemorySegment.copy(src, sourceRow(row, headDim) * rowBytes, dst, row * rowBytes, rowBytes);
        }
    }
}
