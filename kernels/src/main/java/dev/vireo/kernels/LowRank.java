package dev.vireo.kernels;

import java.util.Objects;

/**
 * One low-rank (LoRA) term {@code scale * B (A x)} added to the product of a weight matrix W
 * ({@code rows x cols}): A is {@code r x cols}, B is {@code rows x r}.
 *
 * @param factors A and B, shared by every term made from the same adapter tensor
 * @param scale the effective factor (user scale x alpha / r); 0 turns the term off
 */
public record LowRank(LowRankFactors factors, float scale) {
    public LowRank {
        Objects.requireNonNull(factors, "factors");
    }

    /** A term on factors of its own (tests, benchmarks; adapters share theirs). */
    public LowRank(WeightMatrix a, WeightMatrix b, float scale) {
        this(new LowRankFactors(a, b), scale);
    }

    /** The down projection, {@code r x cols}. */
    public WeightMatrix a() {
        return factors.a();
    }

    /** The up projection, {@code rows x r}. */
    public WeightMatrix b() {
        return factors.b();
    }

    public int rank() {
        return factors.rank();
    }
}
