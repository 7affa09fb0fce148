package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;

/**
 * The two factors of one LoRA term as an adapter stores them, A ({@code r x cols}) and B
 * ({@code rows x r}), plus B repacked once for the fused up-projection. Shared read-only by every
 * session (and every scale) that applies the term: build it once per adapter tensor.
 *
 * <p>Why repack: stored row-major, each output row's {@code B_i . t} is a rank-long dot product
 * ending in a horizontal sum, about 16 multiply-adds and a 3-step reduction per row. In panels of
 * {@link #PANEL} rows stored k-major ({@code panels[(p * r + k) * PANEL + l] = B[p * PANEL + l][k]}
 * as float), {@code PANEL} rows come out of {@code r} broadcast multiply-adds with no reduction,
 * reading one contiguous stream. The values are B's own, widened to float exactly, F16 included:
 * F16 panels (half the bytes) measured no faster, as the per-lane widening made the kernel
 * compute-bound, and each vector holding an F16 subnormal (0.5 % of N(0, 0.01) values) paid a
 * slow multiply: 26 against 19 us per 8192 x 16 call with and without them.
 *
 * <p>A term that is alone in its set (the usual single adapter) also gets B as plain float rows
 * padded to whole vectors ({@link #upRows}), which decode's int8 row kernels read a line per row
 * ({@link Int8RowKernels}). Both copies are float: for a rank-16 adapter on every projection of a
 * 1B model, 24 MB each beside the 45 MB file.
 */
public final class LowRankFactors {
    /**
     * Rows per panel: one 256-bit float vector. A constant rather than the preferred species, so
     * this class loads without the Vector API (the scalar fallback), and 8 lanes are plenty for a
     * kernel that streams from memory.
     */
    static final int PANEL = 8;

    private final WeightMatrix a;
    private final WeightMatrix b;
    /** Built on first use ({@link #upPanels}): merging, for one, never needs it. */
    private volatile float[] upPanels;
    /** Built on first use ({@link #upRows}): only for a term that is alone in its set. */
    private volatile float[] upRows;

    /**
     * @param a the down projection, {@code r} rows of {@code cols}
     * @param b the up projection, {@code rows} rows of {@code r}
     */
    public LowRankFactors(WeightMatrix a, WeightMatrix b) {
        if (b.cols() != a.rows()) {
            throw new IllegalArgumentException("LoRA rank mismatch: A has " + a.rows() + " rows, B has " + b.cols() + " columns");
        }
        if (!Blocks.supports(b.type())) {
            throw new IllegalArgumentException("LoRA B of type " + b.type() + " is not supported by the kernels");
        }
        this.a = a;
        this.b = b;
    }

    public WeightMatrix a() {
        return a;
    }

    public WeightMatrix b() {
        return b;
    }

    public int rank() {
        return a.rows();
    }

    /**
     * B in k-major panels of {@link #PANEL} rows, zero past the last row; built once, on the first
     * call (a race only builds equal copies).
     */
    float[] upPanels() {
        float[] p = upPanels;
        if (p == null) {
            p = pack(b);
            upPanels = p;
        }
        return p;
    }

    /** B's rank rounded up to whole panels: the row length of {@link #upRows}. */
    int paddedRank() {
        return (rank() + PANEL - 1) / PANEL * PANEL;
    }

    /**
     * B as float rows of {@link #paddedRank} (zero-padded): decode adds row i's term inside the
     * kernel of W's row i; built once, on the first call.
     */
    float[] upRows() {
        float[] p = upRows;
        if (p == null) {
            p = rows(b, paddedRank());
            upRows = p;
        }
        return p;
    }

    private static float[] rows(WeightMatrix b, int stride) {
        float[] out = new float[Math.multiplyExact(b.rows(), stride)];
        for (int i = 0; i < b.rows(); i++) {
            dequantizeRow(b, i, out, i * stride);
        }
        return out;
    }

    private static void dequantizeRow(WeightMatrix b, int i, float[] out, int o) {
        GgmlType type = b.type();
        long off = i * b.rowBytes();
        for (int c = 0; c < b.cols(); c += type.blockSize(), off += type.bytesPerBlock()) {
            Blocks.dequantize(type, b.data(), off, out, o + c);
        }
    }

    /** Where B[row][k] is in the panels of a rank-{@code r} B: the one definition of the layout. */
    static int panelIndex(int row, int k, int r) {
        return ((row / PANEL) * r + k) * PANEL + row % PANEL;
    }

    private static float[] pack(WeightMatrix b) {
        int r = b.cols();
        int panels = (b.rows() + PANEL - 1) / PANEL;
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(panels, r), PANEL)];
        float[] row = new float[r];
        for (int i = 0; i < b.rows(); i++) {
            dequantizeRow(b, i, row, 0);
            int base = panelIndex(i, 0, r);
            for (int k = 0; k < r; k++) {
                out[base + k * PANEL] = row[k];
            }
        }
        return out;
    }
}
