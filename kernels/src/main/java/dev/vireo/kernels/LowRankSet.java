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
