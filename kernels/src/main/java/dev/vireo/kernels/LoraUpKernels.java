package dev.vireo.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The up-projection of a LoRA term over a range of output rows: {@code y[i] += B_i . t} for rows
 * {@code from <= i < to}, with B in the k-major panels of {@link LowRankFactors#upPanels} and t
 * the {@code r} values of {@code scale * A x}. A panel of rows is {@code r} broadcast
 * multiply-adds into one vector that is added to y as it is: no per-row horizontal sum. Two
 * versions over the same panels: 256-bit ({@link #addPanels}) and, for hardware with 512-bit
 * vectors, two k per vector ({@link #addPanelsWide}); {@link #addPanelsScalar} is their twin.
 */
final class LoraUpKernels {
    private LoraUpKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Two panel columns (two k) per vector: {@link #addPanelsWide}. */
    private static final VectorSpecies<Float> W = FloatVector.SPECIES_512;
    private static final int P = LowRankFactors.PANEL;
    /** Lane i of a 512-bit vector takes lane i + 8 (mod 16): the upper half meets the lower. */
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(W, i -> (i + P) % (2 * P));
    /** Where t's spread-out copies start in the scratch of {@link #addPanelsWide}, after the edge panel. */
    private static final int SPREAD = P;

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
            addPanelSum(even.add(odd), p0, from, to, y, yOff, edge);
        }
    }

    /**
     * The same with 512-bit vectors, for hardware that has them: one vector holds two
     * consecutive k of a panel ({@code B[rows][k]} and {@code B[rows][k + 1]}), so a panel of rank
     * 16 is 8 multiply-adds straight from memory against t spread out once per call
     * ({@code t[k]} 8 times, k after k, in the scratch), and the two halves are added at the
     * end; whole panels go four at a time ({@link #addFourPanels}). Fewer instructions per byte
     * than the 256-bit version, whose broadcast per k bound B's stream by instructions: 8.7-10.8
     * -> 10.5-12.2 GB/s streaming 112 rank-16 B of 8192 rows from memory on a 2-core Xeon VM (1
     * thread), where a plain read loop reaches 15.
     *
     * @param scratch at least {@link LowRankFactors#upScratchFloats upScratchFloats(r)} floats
     */
    static void addPanelsWide(float[] panels, int r, int from, int to, float[] t, int tOff, float[] y, int yOff,
            float[] scratch) {
        // per call, in the thread's own scratch: 8 r stores against r * 32 bytes of B per 8 rows
        for (int k = 0; k < r; k++) {
            float v = t[tOff + k];
            int at = SPREAD + k * P;
            for (int l = 0; l < P; l++) {
                scratch[at + l] = v;
            }
        }
        int pairs = r & ~1;
        int end = (to + P - 1) / P; // past the last panel that meets [from, to)
        for (int p = from / P; p < end;) {
            int p0 = p * P;
            if (p0 >= from && p0 + 4 * P <= to) {
                addFourPanels(panels, r, pairs, p, t, tOff, y, yOff, scratch);
                p += 4;
                continue;
            }
            // a panel at either end of the range, perhaps only partly inside it
            int src = p * r * P;
            FloatVector even = FloatVector.zero(W);
            FloatVector odd = FloatVector.zero(W);
            int k = 0;
            for (; k + 3 < pairs; k += 4) {
                even = FloatVector.fromArray(W, panels, src + k * P).fma(spread(scratch, k), even);
                odd = FloatVector.fromArray(W, panels, src + (k + 2) * P).fma(spread(scratch, k + 2), odd);
            }
            if (k < pairs) {
                even = FloatVector.fromArray(W, panels, src + k * P).fma(spread(scratch, k), even);
            }
            addPanelSum(fold(even, odd, panels, src, r, pairs, t, tOff), p0, from, to, y, yOff, scratch);
            p++;
        }
    }

    /**
     * Adds the 8 sums of the panel starting at row {@code p0} to y: as one vector when the panel is
     * wholly inside {@code [from, to)}, else lane by lane through {@code edge[0, PANEL)} for the
     * rows inside.
     */
    private static void addPanelSum(FloatVector sum, int p0, int from, int to, float[] y, int yOff, float[] edge) {
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

    /** {@code [t_k x 8, t_k+1 x 8]} from the scratch of {@link #addPanelsWide}. */
    private static FloatVector spread(float[] scratch, int k) {
        return FloatVector.fromArray(W, scratch, SPREAD + k * P);
    }

    /**
     * Four whole panels, the same sums as one at a time (the same chains, in the same order), but
     * each load of t's copies serves four panels: 10 loads per panel instead of 16 for rank 16.
     * With a load of t beside every multiply-add B's stream was bound by loads: 9.8-10.5 against
     * 12.7-13.5 GB/s with t held in registers (112 rank-16 B of 8192 rows from memory, 1 thread).
     */
    private static void addFourPanels(float[] panels, int r, int pairs, int p, float[] t, int tOff, float[] y,
            int yOff, float[] scratch) {
        int stride = r * P;
        int s0 = p * stride;
        int s1 = s0 + stride;
        int s2 = s1 + stride;
        int s3 = s2 + stride;
        FloatVector e0 = FloatVector.zero(W);
        FloatVector e1 = e0;
        FloatVector e2 = e0;
        FloatVector e3 = e0;
        FloatVector o0 = e0;
        FloatVector o1 = e0;
        FloatVector o2 = e0;
        FloatVector o3 = e0;
        int k = 0;
        for (; k + 3 < pairs; k += 4) {
            FloatVector te = spread(scratch, k);
            FloatVector tn = spread(scratch, k + 2);
            int a = k * P;
            int b = a + 2 * P;
            e0 = FloatVector.fromArray(W, panels, s0 + a).fma(te, e0);
            o0 = FloatVector.fromArray(W, panels, s0 + b).fma(tn, o0);
            e1 = FloatVector.fromArray(W, panels, s1 + a).fma(te, e1);
            o1 = FloatVector.fromArray(W, panels, s1 + b).fma(tn, o1);
            e2 = FloatVector.fromArray(W, panels, s2 + a).fma(te, e2);
            o2 = FloatVector.fromArray(W, panels, s2 + b).fma(tn, o2);
            e3 = FloatVector.fromArray(W, panels, s3 + a).fma(te, e3);
            o3 = FloatVector.fromArray(W, panels, s3 + b).fma(tn, o3);
        }
        if (k < pairs) {
            FloatVector te = spread(scratch, k);
            int a = k * P;
            e0 = FloatVector.fromArray(W, panels, s0 + a).fma(te, e0);
            e1 = FloatVector.fromArray(W, panels, s1 + a).fma(te, e1);
            e2 = FloatVector.fromArray(W, panels, s2 + a).fma(te, e2);
            e3 = FloatVector.fromArray(W, panels, s3 + a).fma(te, e3);
        }
        int at = yOff + p * P;
        FloatVector.fromArray(F, y, at).add(fold(e0, o0, panels, s0, r, pairs, t, tOff)).intoArray(y, at);
        FloatVector.fromArray(F, y, at + P).add(fold(e1, o1, panels, s1, r, pairs, t, tOff)).intoArray(y, at + P);
        FloatVector.fromArray(F, y, at + 2 * P).add(fold(e2, o2, panels, s2, r, pairs, t, tOff)).intoArray(y, at + 2 * P);
        FloatVector.fromArray(F, y, at + 3 * P).add(fold(e3, o3, panels, s3, r, pairs, t, tOff)).intoArray(y, at + 3 * P);
    }

    /**
     * A panel's 8 sums from its two chains: both halves of each 512-bit vector added (k and k + 1),
     * then an odd rank's last k alone.
     */
    private static FloatVector fold(FloatVector even, FloatVector odd, float[] panels, int src, int r, int pairs,
            float[] t, int tOff) {
        FloatVector both = even.add(odd);
        FloatVector sum = (FloatVector) both.add(both.rearrange(SWAP_HALVES)).reinterpretShape(F, 0);
        if (pairs < r) {
            sum = FloatVector.fromArray(F, panels, src + pairs * P).fma(FloatVector.broadcast(F, t[tOff + pairs]), sum);
        }
        return sum;
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
