package dev.vireo.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The up-projection of a LoRA term over a range of output rows: {@code y[i] += B_i . t} for rows
 * {@code from <= i < to}, with B in the k-major panels of {@link LowRankFactors#upPanels} and t
 * the {@code r} values of {@code scale * A x}. A panel of rows is {@code r} broadcast
 * multiply-adds into one vector that is added to y as it is: no per-row horizontal sum.
 */
final class LoraUpKernels {
    private LoraUpKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int P = LowRankFactors.PANEL;

    static {
        if (F.length() != P) {
            throw new IllegalStateException("panel width " + P + " is not the vector length " + F.length());
        }
    }

    /**
     * Vector API version. Panels only partly inside {@code [from, to)} (or past the end of y) go
     * through {@code edge} ({@code >= PANEL} floats of scratch) and are added lane by lane.
     */
    static void addPanels(float[] panels, int r, int from, int to, float[] t, int tOff, float[] y, int yOff,
            float[] edge) {
        for (int p = from / P; p * P < to; p++) {
            int p0 = p * P;
            int src = p * r * P;
            // two chains over k: half the dependent multiply-add latency of one
            FloatVector even = FloatVector.zero(F);
            FloatVector odd = FloatVector.zero(F);
            int k = 0;
            for (; k + 1 < r; k += 2, src += 2 * P) {
                even = FloatVector.fromArray(F, panels, src).fma(FloatVector.broadcast(F, t[tOff + k]), even);
                odd = FloatVector.fromArray(F, panels, src + P).fma(FloatVector.broadcast(F, t[tOff + k + 1]), odd);
            }
            if (k < r) {
                even = FloatVector.fromArray(F, panels, src).fma(FloatVector.broadcast(F, t[tOff + k]), even);
            }
            FloatVector sum = even.add(odd);
            int lo = Math.max(from, p0);
            int hi = Math.min(to, p0 + P);
            if (lo == p0 && hi == p0 + P) {
                FloatVector.fromArray(F, y, yOff + p0).add(sum).intoArray(y, yOff + p0);
            } else {
                sum.intoArray(edge, 0);
                for (int i = lo; i < hi; i++) {
                    y[yOff + i] += edge[i - p0];
                }
            }
        }
    }

    /** The scalar twin: the same panels, one value at a time, summed in double. */
    static void addPanelsScalar(float[] panels, int r, int from, int to, float[] t, int tOff, float[] y, int yOff) {
        for (int i = from; i < to; i++) {
            int base = LowRankFactors.panelIndex(i, 0, r);
            double sum = 0;
            for (int k = 0; k < r; k++) {
                sum += (double) panels[base + k * P] * t[tOff + k];
            }
            y[yOff + i] += (float) sum;
        }
    }
}
