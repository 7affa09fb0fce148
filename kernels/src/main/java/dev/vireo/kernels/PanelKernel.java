package dev.vireo.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked float micro-kernel of the tiled matmul ({@link TiledMatmul}): adds the
 * product of {@link #ROWS} dequantized weight rows with one panel of {@link #TOKENS} activation
 * vectors to a block of accumulators.
 *
 * <p>Layouts: weight row i of the tile at {@code a[aOff + i*aStride + k]} (plain row-major, as
 * dequantization writes it, so no transpose of W is needed); the activation panel is
 * k-major, {@code xt[xtOff + k*TOKENS + l]} for token l; accumulators
 * {@code c[cOff + i*cStride + l]}. Per k step: two vector loads of the panel, one broadcast per
 * weight row, 12 FMAs into 12 vector accumulators. 12 + 2 + 1 = 15 of AVX2's 16 registers, and
 * 2 loads (plus 6 broadcasts) per 12 FMAs keeps the two FMA ports the limit, not the loads.
 */
final class PanelKernel {
    private PanelKernel() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int FL = F.length();
    /** Weight rows per micro-kernel call. */
    static final int ROWS = 6;
    /** Tokens per panel: two float vectors. */
    static final int TOKENS = 2 * FL;

    /** {@code c[i][l] += sum_k a[i][k] * xt[k][l]} for 6 rows, one panel, {@code kc} steps of k. */
    static void multiply(float[] a, int aOff, int aStride, float[] xt, int xtOff, float[] c, int cOff, int cStride,
            int kc) {
        int a0 = aOff;
        int a1 = a0 + aStride;
        int a2 = a1 + aStride;
        int a3 = a2 + aStride;
        int a4 = a3 + aStride;
        int a5 = a4 + aStride;
        int r0 = cOff;
        int r1 = r0 + cStride;
        int r2 = r1 + cStride;
        int r3 = r2 + cStride;
        int r4 = r3 + cStride;
        int r5 = r4 + cStride;
        FloatVector c00 = FloatVector.fromArray(F, c, r0);
        FloatVector c01 = FloatVector.fromArray(F, c, r0 + FL);
        FloatVector c10 = FloatVector.fromArray(F, c, r1);
        FloatVector c11 = FloatVector.fromArray(F, c, r1 + FL);
        FloatVector c20 = FloatVector.fromArray(F, c, r2);
        FloatVector c21 = FloatVector.fromArray(F, c, r2 + FL);
        FloatVector c30 = FloatVector.fromArray(F, c, r3);
        FloatVector c31 = FloatVector.fromArray(F, c, r3 + FL);
        FloatVector c40 = FloatVector.fromArray(F, c, r4);
        FloatVector c41 = FloatVector.fromArray(F, c, r4 + FL);
        FloatVector c50 = FloatVector.fromArray(F, c, r5);
        FloatVector c51 = FloatVector.fromArray(F, c, r5 + FL);
        for (int k = 0, xi = xtOff; k < kc; k++, xi += TOKENS) {
            FloatVector x0 = FloatVector.fromArray(F, xt, xi);
            FloatVector x1 = FloatVector.fromArray(F, xt, xi + FL);
            FloatVector b = FloatVector.broadcast(F, a[a0 + k]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(F, a[a1 + k]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(F, a[a2 + k]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(F, a[a3 + k]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            b = FloatVector.broadcast(F, a[a4 + k]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            b = FloatVector.broadcast(F, a[a5 + k]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + FL);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + FL);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + FL);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + FL);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + FL);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + FL);
    }

    /** The scalar twin of {@link #multiply}: same layouts, same per-lane FMA order over k. */
    static void multiplyScalar(float[] a, int aOff, int aStride, float[] xt, int xtOff, float[] c, int cOff,
            int cStride, int kc) {
        for (int i = 0; i < ROWS; i++) {
            for (int l = 0; l < TOKENS; l++) {
                float s = c[cOff + i * cStride + l];
                for (int k = 0; k < kc; k++) {
                    s = Math.fma(xt[xtOff + k * TOKENS + l], a[aOff + i * aStride + k], s);
                }
                c[cOff + i * cStride + l] = s;
            }
        }
    }
}
