package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;

/**
 * The two factors of one LoRA term as an adapter stores them, A ({@code r x cols}) and B
 * ({@code rows x r}), plus B repacked once for the fused up-projection. Shared read-only by every
 * session (and every scale) that applies the term: build it once per adapter tensor.
 *
 * <p>Why repack: stored row-major, each output row's {@code B_i . t} is a rank-long dot product
 * ending in a horizontal sum, about 16 multiply-adds and a 3-step reduction per row. In panels of
 * {@link #PANEL} rows stored k-major ({@code panels[(p * r + k) * PANEL + l] = B[p * PANEL + l][k]}
 * as float), {@code PANEL} rows come out of {@code r} broadcast multiply-adds with no reduction,
 * reading one contiguous stream. The values are B's own: an F16 B keeps its 16-bit values
 * ({@link #upHalfPanels}, half the bytes to stream: F16 is what llama.cpp's adapter converter
 * writes by default); any other type is widened to float exactly ({@link #upPanels}).
 */
public final class LowRankFactors {
    /** Rows per panel: one float vector of the preferred species. */
    static final int PANEL = FloatVector.SPECIES_PREFERRED.length();

    private final WeightMatrix a;
    private final WeightMatrix b;
    /** Built on first use ({@link #upPanels}): merging, for one, never needs it. */
    private volatile float[] upPanels;
    private volatile short[] upHalfPanels;

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

    /** Whether B's panels are {@link #upHalfPanels} (B is F16) rather than {@link #upPanels}. */
    boolean halfPanels() {
        return b.type() == GgmlType.F16;
    }

    /** Forces the panels to be built now (at adapter setup, not in a product). */
    void packUp() {
        if (halfPanels()) {
            upHalfPanels();
        } else {
            upPanels();
        }
    }

    /**
     * B (not F16) as floats in k-major panels of {@link #PANEL} rows, zero past the last row;
     * built once, on the first call (a race only builds equal copies).
     */
    float[] upPanels() {
        float[] p = upPanels;
        if (p == null) {
            if (halfPanels()) {
                throw new IllegalStateException("an F16 B is packed as halves");
            }
            p = new float[panelValues()];
            float[] row = new float[b.cols()];
            for (int i = 0; i < b.rows(); i++) {
                dequantizeRow(i, row);
                for (int k = 0, at = panelIndex(i, 0); k < row.length; k++, at += PANEL) {
                    p[at] = row[k];
                }
            }
            upPanels = p;
        }
        return p;
    }

    /** An F16 B's bits in the same panel layout ({@code +0.0} past the last row). */
    short[] upHalfPanels() {
        short[] p = upHalfPanels;
        if (p == null) {
            if (!halfPanels()) {
                throw new IllegalStateException("only an F16 B is packed as halves, not " + b.type());
            }
            p = new short[panelValues()];
            for (int i = 0; i < b.rows(); i++) {
                long off = i * b.rowBytes();
                for (int k = 0, at = panelIndex(i, 0); k < b.cols(); k++, at += PANEL) {
                    p[at] = b.data().get(Blocks.U16, off + 2L * k);
                }
            }
            upHalfPanels = p;
        }
        return p;
    }

    /** Where B[i][k] is in the panels. */
    int panelIndex(int i, int k) {
        return ((i / PANEL) * b.cols() + k) * PANEL + i % PANEL;
    }

    private int panelValues() {
        int panels = (b.rows() + PANEL - 1) / PANEL;
        return Math.multiplyExact(Math.multiplyExact(panels, b.cols()), PANEL);
    }

    private void dequantizeRow(int i, float[] row) {
        GgmlType type = b.type();
        long off = i * b.rowBytes();
        for (int c = 0; c < row.length; c += type.blockSize(), off += type.bytesPerBlock()) {
            Blocks.dequantize(type, b.data(), off, row, c);
        }
    }
}
