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

    /**
     * Floats of scratch the up-projection kernels ({@link LoraUpKernels}) need for a rank-{@code r}
     * term: one edge panel, then t spread out for the 512-bit kernel. Here rather than there so
     * that the scalar kernels can size it without loading the Vector API.
     */
    static int upScratchFloats(int r) {
        return PANEL * (r + 1);
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
        GgmlType type = b.type();
        int bs = type.blockSize();
        for (int i = 0; i < b.rows(); i++) {
            long off = i * b.rowBytes();
            for (int c = 0; c < r; c += bs, off += type.bytesPerBlock()) {
                Blocks.dequantize(type, b.data(), off, row, c);
            }
            int base = panelIndex(i, 0, r);
            for (int k = 0; k < r; k++) {
                out[base + k * PANEL] = row[k];
            }
        }
        return out;
    }
}
