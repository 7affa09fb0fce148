package dev.vireo.kernels;

/**
 * Sends prompt-sized matrix products ({@code n >= minTokens} activation vectors) to the tiled
 * dequantize-once path ({@link TiledMatmul}) and everything else (matvec, small batches,
 * dequantizeRow) to the wrapped kernels, whose thread pool it shares. Below the threshold the
 * per-row fused kernels win: decoding a tile only pays off when many tokens reuse it.
 */
final class TiledMatrixKernels implements MatrixKernels {
    /**
     * Batches at least this large take the tiled path. Measured on 2048x2048 Q4_0, 1 thread
     * (jmh/README.md): per-row kernels 2800 tokens/s at n = 8, tiled 2000 (a panel is 16 tokens,
     * so n = 8 pays for 16); at n = 16 per-row 1500, tiled 3800.
     */
    static final int DEFAULT_MIN_TOKENS = Integer.getInteger("vireo.tile.minTokens", 12);

    private final MatrixKernels inner;
    private final TiledMatmul tiled;
    private final int minTokens;

    TiledMatrixKernels(MatrixKernels inner, int minTokens) {
        this(inner, minTokens, false);
    }

    /** @param scalar use the scalar twins inside the tiled path (tests) */
    TiledMatrixKernels(MatrixKernels inner, int minTokens, boolean scalar) {
        this.inner = inner;
        this.minTokens = Math.max(1, minTokens);
        this.tiled = new TiledMatmul(inner.pool(), scalar);
    }

    @Override
    public String description() {
        return inner.description() + ", tiled prefill";
    }

    @Override
    public int threads() {
        return inner.threads();
    }

    @Override
    public WorkerPool pool() {
        return inner.pool();
    }

    @Override
    public void matvec(WeightMatrix w, float[] x, int xOff, float[] y, int yOff, LowRankSet lora) {
        inner.matvec(w, x, xOff, y, yOff, lora);
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int n,
            LowRankSet lora) {
        if (n < minTokens) {
            inner.matmul(w, x, xOff, xStride, y, yOff, yStride, n, lora);
            return;
        }
        check(w);
        ProductChecks.range("activation x", x.length, xOff, xStride, n, w.cols());
        ProductChecks.range("output y", y.length, yOff, yStride, n, w.rows());
        LowRankSet active = lora == null || lora.isEmpty() ? null : lora;
        if (active != null) {
            checkLora(w, active, n);
        }
        tiled.matmul(w, x, xOff, xStride, y, yOff, yStride, n, active);
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int outOff) {
        inner.dequantizeRow(w, row, out, outOff);
    }

    @Override
    public void close() {
        inner.close();
    }

    private static void check(WeightMatrix w) {
        if (!Blocks.supports(w.type())) {
            throw new IllegalArgumentException("weight type " + w.type() + " is not supported by the kernels");
        }
    }

    private static void checkLora(WeightMatrix w, LowRankSet lora, int n) {
        ProductChecks.loraFits(w, lora, n);
        for (LowRank term : lora.terms()) {
            check(term.a());
            check(term.b());
        }
    }
}
