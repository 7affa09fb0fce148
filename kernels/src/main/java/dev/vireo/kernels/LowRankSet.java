package dev.vireo.kernels;

import java.util.List;

/**
 * The low-rank terms applied to one weight matrix, with the scratch space the fused kernels need
 * for {@code t = A x}. Not thread-safe: each session builds its own sets (the A and B matrices
 * themselves are shared, read-only).
 */
public final class LowRankSet {
    private final LowRank[] terms;
    private final int rows;
    private final int cols;
    /** Scratch for t_i = A_i x, one slice per term (for matmul: per token). Owned by this set. */
    final float[] scratch;
    final int totalRank;
    /**
     * The one term that is on (scale != 0), or null when none or several are: decode adds it
     * inside the row kernels, from B as float rows ({@link LowRankFactors#upRows}).
     */
    final LowRank single;
    /** Where the single term's t starts in {@link #scratch}. */
    final int singleBase;
    /** The single term's t of one token, zero-padded to whole vectors. */
    final float[] singleT;

    /**
     * @param terms terms of one matrix W of shape {@code rows x cols}
     * @param maxTokens the largest batch passed to matmul with this set
     */
    public LowRankSet(List<LowRank> terms, int rows, int cols, int maxTokens) {
        this.terms = terms.toArray(new LowRank[0]);
        this.rows = rows;
        this.cols = cols;
        int r = 0;
        for (LowRank t : this.terms) {
            if (t.a().cols() != cols || t.b().rows() != rows) {
                throw new IllegalArgumentException("LoRA term A " + t.a().rows() + "x" + t.a().cols() + ", B "
                        + t.b().rows() + "x" + t.b().cols() + " does not fit a " + rows + "x" + cols + " weight");
            }
            r += t.rank();
            t.factors().upPanels(); // packed here, once, rather than in a product
        }
        this.totalRank = r;
        this.scratch = new float[Math.max(1, r * Math.max(1, maxTokens))];
        LowRank on = null;
        int onBase = 0;
        int count = 0;
        for (int i = 0, base = 0; i < this.terms.length; base += this.terms[i].rank(), i++) {
            if (this.terms[i].scale() != 0f) {
                on = this.terms[i];
                onBase = base;
                count++;
            }
        }
        this.single = count == 1 ? on : null;
        this.singleBase = onBase;
        this.singleT = single == null ? null : new float[single.factors().paddedRank()];
        if (single != null) {
            single.factors().upRows(); // as the panels: built here, not in a product
        }
    }

    public LowRank[] terms() {
        return terms;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public boolean isEmpty() {
        return terms.length == 0;
    }
}
