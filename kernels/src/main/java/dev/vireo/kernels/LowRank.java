package dev.vireo.kernels;

/**
 * One low-rank (LoRA) term {@code scale * B (A x)} added to the product of a weight matrix W
 * ({@code rows x cols}): A is {@code r x cols}, B is {@code rows x r}.
 *
 * @param a the down projection, {@code r} rows of {@code cols}
 * @param b the up projection, {@code rows} rows of {@code r}
 * @param scale the effective factor (user scale x alpha / r); 0 turns the term off
 */
public record LowRank(WeightMatrix a, WeightMatrix b, float scale) {
    public LowRank {
        if (b.cols() != a.rows()) {
            throw new IllegalArgumentException("LoRA rank mismatch: A has " + a.rows() + " rows, B has " + b.cols() + " columns");
        }
    }

    public int rank() {
        return a.rows();
    }
}
