package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Matrix-matrix product for prompt batches: each tile of weight rows is dequantized once per
 * call into a cache-resident float tile and multiplied with every token of the batch by
 * {@link PanelKernel}, instead of decoding each weight row once per token.
 *
 * <p>Blocking: the activations are repacked once per call (in parallel) into k-major panels of
 * {@link PanelKernel#TOKENS} tokens (zero-padded), {@code xt[(p*cols + k)*TOKENS + l]}. The
 * rows are split over the pool in tiles of {@link #TILE_ROWS}, taken in groups of
 * {@link #GROUP_TILES}. For each column block of {@link #COL_BLOCK}, each tile of the group has
 * its rows dequantized (TILE_ROWS x COL_BLOCK floats, 12 KB) and swept over all panels, one
 * panel (COL_BLOCK x TOKENS floats, 16 KB on AVX2) at a time: the weight tile and the current
 * panel (28 KB) fit the 32 KB L1, the column block of all panels (64 KB at n = 64) stays in L2
 * for the whole group, and the group's sums (8 x 12 rows x n floats, 24 KB at n = 64) too. Sums
 * are written to y once, after the last column block.
 *
 * <p>LoRA rides along as extra columns: {@code y = [W | B] [X ; T]} with
 * {@code T = scale * (A X)}. T is computed first by the same pass over the rows of A (whose
 * panel is the X panel already packed) straight into a k-major panel, then each tile adds its
 * rows of B (all terms side by side, {@code totalRank} columns) times T to its sums before they
 * are written: W is read once, y written once.
 *
 * <p>Scratch: per-thread tiles and accumulators and the shared panels grow on the calling
 * thread to the largest call seen, then calls allocate nothing.
 */
final class TiledMatmul {
    /** Weight rows per tile, a multiple of {@link PanelKernel#ROWS}. */
    static final int TILE_ROWS = Integer.getInteger("vireo.tile.rows", 12) / PanelKernel.ROWS * PanelKernel.ROWS;
    /** Columns per block: a multiple of every block size (256 covers the K-quants). */
    static final int COL_BLOCK = Math.max(256, Integer.getInteger("vireo.tile.cols", 256) / 256 * 256);

    /** Row tiles that share one pass over the column blocks (their sums stay in L1/L2). */
    static final int GROUP_TILES = Math.max(1, Integer.getInteger("vireo.tile.group", 8));

    private static final int NR = PanelKernel.TOKENS;

    private final WorkerPool pool;
    private final boolean scalar;
    /** Per-thread dequantized weight tile, TILE_ROWS x max(COL_BLOCK, totalRank). */
    private final float[][] tiles;
    /** Per-thread accumulators, GROUP_TILES x TILE_ROWS x padded n. */
    private final float[][] sums;
    /** Activation panels. */
    private float[] xt = new float[0];
    /** LoRA T panels, padded n x totalRank. */
    private float[] tt = new float[0];
    private final TileTask task = new TileTask();

    /**
     * @param scalar use the scalar twins of the micro-kernel and the dequantization (tests)
     */
    TiledMatmul(WorkerPool pool, boolean scalar) {
        this.pool = pool;
        this.scalar = scalar;
        this.tiles = new float[pool.threads()][TILE_ROWS * COL_BLOCK];
        this.sums = new float[pool.threads()][0];
    }

    /** Same contract as {@link MatrixKernels#matmul}; arguments already checked by the caller. */
    void matmul(WeightMatrix w, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int n,
            LowRankSet lora) {
        int cols = w.cols();
        int panels = (n + NR - 1) / NR;
        int padded = panels * NR;
        int rank = lora == null ? 0 : lora.totalRank;
        reserve(padded, cols, rank);
        packActivations(x, xOff, xStride, n, panels, cols);
        TileTask t = task;
        t.padded = padded;
        t.cols = cols;
        try {
            if (rank > 0) {
                // T = scale * (A X), one term after the other, into the k-major panels of tt
                int base = 0;
                for (LowRank term : lora.terms()) {
                    if (term.scale() == 0f) {
                        clearRank(base, term.rank(), panels, rank);
                    } else {
                        // A has r rows, one or two tiles: split the tokens' panels too, or one
                        // thread did all of A X while the others waited (2 threads: the r16
                        // prefill overhead was +5% against +1% with 1 thread)
                        int chunks = Math.min(panels, pool.threads() * 2);
                        t.setTarget(term.a(), null, 0, 0, n, null, base, rank, term.scale());
                        t.panelChunks = chunks;
                        pool.parallelFor(tiles(term.a().rows()) * chunks, 1, t);
                    }
                    base += term.rank();
                }
            }
            t.setTarget(w, y, yOff, yStride, n, rank > 0 ? lora : null, 0, rank, 0f);
            t.panelChunks = 0;
            pool.parallelFor(tiles(w.rows()), GROUP_TILES, t);
        } finally {
            t.w = null;
            t.y = null;
            t.lora = null;
        }
    }

    private static int tiles(int rows) {
        return (rows + TILE_ROWS - 1) / TILE_ROWS;
    }

    private void reserve(int padded, int cols, int rank) {
        if (xt.length < padded * cols) {
            xt = new float[padded * cols];
        }
        if (tt.length < padded * rank) {
            tt = new float[padded * rank];
        }
        int tileSize = TILE_ROWS * Math.max(COL_BLOCK, rank);
        for (int i = 0; i < tiles.length; i++) {
            if (tiles[i].length < tileSize) {
                tiles[i] = new float[tileSize];
            }
            if (sums[i].length < GROUP_TILES * TILE_ROWS * padded) {
                sums[i] = new float[GROUP_TILES * TILE_ROWS * padded];
            }
        }
    }

    /** Columns per packing chunk: the 16 tokens' writes to a chunk (16 KB of xt) stay in L1. */
    private static final int PACK_COLS = 256;

    /**
     * xt[(p*cols + k)*NR + l] = x of token p*NR + l at column k (0 past the last token), in
     * chunks of panel x {@link #PACK_COLS} columns spread over the pool: packing column by column
     * for one token at a time strides 64 bytes per write over the whole panel, which on one
     * thread took a large serial share of a 2-thread product with 8192 columns.
     */
    private void packActivations(float[] x, int xOff, int xStride, int n, int panels, int cols) {
        PackTask p = packTask;
        p.x = x;
        p.xOff = xOff;
        p.xStride = xStride;
        p.n = n;
        p.cols = cols;
        p.chunks = (cols + PACK_COLS - 1) / PACK_COLS;
        try {
            pool.parallelFor(panels * p.chunks, 4, p);
        } finally {
            p.x = null;
        }
    }

    private final PackTask packTask = new PackTask();

    private final class PackTask implements RangeTask {
        float[] x;
        int xOff;
        int xStride;
        int n;
        int cols;
        int chunks;

        @Override
        public void run(int from, int to, int worker) {
            float[] dst = xt;
            for (int unit = from; unit < to; unit++) {
                int p = unit / chunks;
                int k0 = (unit - p * chunks) * PACK_COLS;
                int k1 = Math.min(cols, k0 + PACK_COLS);
                int base = (p * cols + k0) * NR;
                for (int l = 0; l < NR; l++) {
                    int tok = p * NR + l;
                    if (tok < n) {
                        int src = xOff + tok * xStride;
                        for (int k = k0, d = base + l; k < k1; k++, d += NR) {
                            dst[d] = x[src + k];
                        }
                    } else {
                        for (int k = k0, d = base + l; k < k1; k++, d += NR) {
                            dst[d] = 0f;
                        }
                    }
                }
            }
        }
    }

    private void clearRank(int base, int r, int panels, int rank) {
        for (int p = 0; p < panels; p++) {
            int from = (p * rank + base) * NR;
            Arrays.fill(tt, from, from + r * NR, 0f);
        }
    }

    /** One pass over the row tiles of a matrix, writing to y (the product) or to tt (LoRA's T). */
    private final class TileTask implements RangeTask {
        WeightMatrix w;
        float[] y;
        int yOff;
        int yStride;
        int n;
        int padded;
        int cols;
        /** The B terms to add before writing y, or null. */
        LowRankSet lora;
        /** Into tt: first T column of this term; total T columns; the term's scale. */
        int rankBase;
        int rank;
        float scale;
        /**
         * 0: units are row tiles, run over all panels, in groups. Otherwise (the A X pass into
         * tt) unit u is tile {@code u / panelChunks} over chunk {@code u % panelChunks} of the
         * panels.
         */
        int panelChunks;

        void setTarget(WeightMatrix w, float[] y, int yOff, int yStride, int n, LowRankSet lora, int rankBase,
                int rank, float scale) {
            this.w = w;
            this.y = y;
            this.yOff = yOff;
            this.yStride = yStride;
            this.n = n;
            this.lora = lora;
            this.rankBase = rankBase;
            this.rank = rank;
            this.scale = scale;
        }

        @Override
        public void run(int from, int to, int worker) {
            int panels = padded / NR;
            if (panelChunks > 0) {
                for (int u = from; u < to; u++) {
                    int tile = u / panelChunks;
                    int pc = u - tile * panelChunks;
                    group(tile, tile + 1, worker, pc * panels / panelChunks, (pc + 1) * panels / panelChunks);
                }
                return;
            }
            for (int g = from; g < to; g += GROUP_TILES) {
                group(g, Math.min(to, g + GROUP_TILES), worker, 0, panels);
            }
        }

        /**
         * Tiles [from, to): column blocks outer, tiles inner, so the panels' current column block
         * (COL_BLOCK x padded floats, 64 KB at n = 64) is reused from L2 by every tile of the
         * group instead of all of xt (2 MB at 8192 columns) streaming from L3 for each tile.
         */
        private void group(int from, int to, int worker, int p0, int p1) {
            float[] a = tiles[worker];
            float[] c = sums[worker];
            int rows = w.rows();
            int panels = padded / NR;
            int tileSums = TILE_ROWS * padded;
            Arrays.fill(c, 0, (to - from) * tileSums, 0f);
            for (int kb = 0; kb < cols; kb += COL_BLOCK) {
                int kc = Math.min(COL_BLOCK, cols - kb);
                for (int tile = from; tile < to; tile++) {
                    int r0 = tile * TILE_ROWS;
                    int valid = Math.min(TILE_ROWS, rows - r0);
                    for (int i = 0; i < valid; i++) {
                        if (scalar) {
                            TileDequantizer.rowScalar(w, r0 + i, kb, kc, a, i * kc);
                        } else {
                            TileDequantizer.row(w, r0 + i, kb, kc, a, i * kc);
                        }
                    }
                    Arrays.fill(a, valid * kc, groupEnd(valid) * kc, 0f); // the last group's spare rows
                    sweep(a, kc, valid, xt, kb, cols, c, (tile - from) * tileSums, p0, p1);
                }
            }
            for (int tile = from; tile < to; tile++) {
                int r0 = tile * TILE_ROWS;
                int valid = Math.min(TILE_ROWS, rows - r0);
                int cBase = (tile - from) * tileSums;
                if (lora != null) {
                    addLowRank(a, c, cBase, r0, valid, panels);
                }
                if (y != null) {
                    for (int i = 0; i < valid; i++) {
                        int src = cBase + i * padded;
                        for (int t = 0, dst = yOff + r0 + i; t < n; t++, dst += yStride) {
                            y[dst] = c[src + t];
                        }
                    }
                } else {
                    // row r0 + i of A is column rankBase + r0 + i of T
                    for (int i = 0; i < valid; i++) {
                        int src = cBase + i * padded;
                        for (int p = p0; p < p1; p++) {
                            int dst = (p * rank + rankBase + r0 + i) * NR;
                            for (int l = 0; l < NR; l++) {
                                tt[dst + l] = scale * c[src + p * NR + l];
                            }
                        }
                    }
                }
            }
        }

        /** Adds the tile's rows of [B_1 | B_2 ..] times T to the sums. */
        private void addLowRank(float[] a, float[] c, int cBase, int r0, int valid, int panels) {
            int base = 0;
            for (LowRank term : lora.terms()) {
                WeightMatrix b = term.b();
                if (!scalar && b.type() == GgmlType.F32 && b.cols() == rank) {
                    // one F32 term: its rows are the tile as stored, one bulk copy instead of a
                    // rank-long copy per row (those were a fifth of the adapter's extra JFR
                    // samples in a 1-thread pp128 of the 1B Q4_0 model with r16 on all projections)
                    MemorySegment.copy(b.data(), Blocks.F32, r0 * b.rowBytes(), a, 0, valid * rank);
                    base += rank;
                    continue;
                }
                for (int i = 0; i < valid; i++) {
                    if (scalar) {
                        TileDequantizer.rowScalar(b, r0 + i, 0, b.cols(), a, i * rank + base);
                    } else {
                        TileDequantizer.row(b, r0 + i, 0, b.cols(), a, i * rank + base);
                    }
                }
                base += b.cols();
            }
            Arrays.fill(a, valid * rank, groupEnd(valid) * rank, 0f);
            sweep(a, rank, valid, tt, 0, rank, c, cBase, 0, panels);
        }

        /** The end of the micro-kernel row groups that hold {@code valid} rows of a tile. */
        private static int groupEnd(int valid) {
            return (valid + PanelKernel.ROWS - 1) / PanelKernel.ROWS * PanelKernel.ROWS;
        }

        /**
         * c[cBase ..] += tile (TILE_ROWS x kc, row stride kc) times columns [k0, k0 + kc) of panels
         * [p0, p1), for the micro-kernel row groups that hold any of the tile's {@code valid} rows
         * (a rank-16 A is a full tile and one of 4 rows: 18 rows multiplied instead of 24).
         */
        private void sweep(float[] a, int kc, int valid, float[] panel, int k0, int panelCols, float[] c, int cBase,
                int p0, int p1) {
            for (int p = p0; p < p1; p++) {
                int xo = (p * panelCols + k0) * NR;
                int co = cBase + p * NR;
                for (int g = 0; g < valid; g += PanelKernel.ROWS) {
                    if (scalar) {
                        PanelKernel.multiplyScalar(a, g * kc, kc, panel, xo, c, g * padded + co, padded, kc);
                    } else {
                        PanelKernel.multiply(a, g * kc, kc, panel, xo, c, g * padded + co, padded, kc);
                    }
                }
            }
        }
    }
}
