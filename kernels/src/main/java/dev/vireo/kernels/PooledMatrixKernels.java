package dev.vireo.kernels;

import dev.vireo.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The parts of {@link MatrixKernels} that do not depend on how one row is multiplied: argument
 * checks, the fused LoRA bookkeeping and the split of rows over the {@link WorkerPool}.
 * Subclasses supply the row dot product.
 *
 * <p>LoRA: for each term, {@code t = scale * (A x)} (r numbers) is computed once per token into
 * the set's scratch; each chunk of output rows then adds {@code B_row . t} right after its own
 * dot products ({@link #loraUp}, while the chunk's y values are in cache), so W is read once and
 * no extra pass over y is made. A batch computes t in a pass of its own before W's; one token on
 * several threads has the calling thread compute it while the others start on W's rows, and
 * chunks that end before t is ready add their B term later ({@link #overlappedDown}).
 */
abstract class PooledMatrixKernels implements MatrixKernels {
    /**
     * Rows per chunk at least (chunks are multiples of it): enough work per atomic step, small
     * enough to balance 2 threads; a multiple of the LoRA up-projection's panel, so chunks start
     * on a panel.
     */
    private static final int ROW_GRAIN = 16;
    /**
     * Rows of A per chunk of the pass {@code t = A x} that batches (below the tiled path's size)
     * make before W's: 8 rows of A are one contiguous read per thread. In 2-row chunks the threads
     * took turns, each reading pieces of 2 rows (decode, when it still used this pass on 2
     * threads: 18.91-18.95 tok/s that way against 18.99-19.01, AMD VM). One token on several
     * threads does not use this pass ({@link #overlappedDown}).
     */
    private static final int DOWN_GRAIN = 8;

    final WorkerPool pool;
    /**
     * Per-thread scratch: one dequantized block (the largest has 256 values) or one float per
     * 16 weights of a row (per-sub-block scales). Grows once to the widest row seen.
     */
    final float[][] blockScratch;
    private final RowTask rowTask = new RowTask();
    private final LoraDownTask loraDownTask = new LoraDownTask();
    private final Runnable downOnCaller = this::computeDownOnCaller;
    /** False while the calling thread computes t for a one-token product ({@link #overlappedDown}). */
    private volatile boolean tReady = true;
    /** Per thread: row ranges whose B term waits for t, as (from, to) pairs. */
    private final int[][] deferred;
    private final int[] deferredCount;

    PooledMatrixKernels(int threads) {
        this.pool = new WorkerPool(threads);
        this.blockScratch = new float[threads][256];
        // a product has at most 4 chunks per thread (WorkerPool.parallelFor), plus a short last one
        this.deferred = new int[threads][2 * (4 * threads + 2)];
        this.deferredCount = new int[threads];
    }

    /**
     * {@code W_row . x[xOff .. xOff + cols)} for the row starting at byte {@code rowOff}.
     *
     * @param token index of x in the batch given to {@link #prepareActivations}, or -1 when x
     *     was not prepared (LoRA factors): then the kernel must read the floats of x
     */
    abstract float dot(WeightMatrix w, long rowOff, float[] x, int xOff, int token, float[] scratch);

    /**
     * Rows {@code rowOff} and the three after it times the floats of x, into
     * {@code out[outOff .. outOff + 4)}, equal to four {@link #dot} calls with token -1; or false,
     * writing nothing, when the implementation has no such kernel for W's type.
     */
    boolean dot4(WeightMatrix w, long rowOff, float[] x, int xOff, float[] out, int outOff) {
        return false;
    }

    /**
     * {@code y[yOff + i] += B_i . t[tOff .. tOff + r)} for rows {@code from <= i < to} of the term's
     * up-projection B ({@code r} columns). This one computes each row with {@link #dot} on B as
     * stored; implementations with a kernel for whole row ranges override it.
     *
     * @param scratch the thread's scratch, at least {@link LowRankFactors#upScratchFloats} floats
     *     for the term's rank (free again: the rows' dot products are done)
     */
    void loraUp(LowRank term, int from, int to, float[] t, int tOff, float[] y, int yOff, float[] scratch) {
        WeightMatrix b = term.b();
        long rb = b.rowBytes();
        for (int i = from; i < to; i++) {
            y[yOff + i] += dot(b, i * rb, t, tOff, -1, scratch);
        }
    }

    /**
     * A one-token product set up for a row-range kernel, or null when the implementation has none
     * for W's type: then the rows go through {@link #dot} one at a time. Either way the LoRA
     * terms are added per chunk by {@link #addLoraTerms}.
     */
    RowProduct tokenRows(WeightMatrix w, float[] x, int xOff, float[] y, int yOff, LowRankSet lora) {
        return null;
    }

    /**
     * Called on the calling thread before the rows of a product are split, with the product's
     * activations: lets an implementation convert them once (e.g. to 8-bit) for all rows.
     */
    void prepareActivations(WeightMatrix w, float[] x, int xOff, int xStride, int n) {}

    /** Whether this implementation has a kernel for the type. */
    abstract boolean supports(GgmlType type);

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public WorkerPool pool() {
        return pool;
    }

    @Override
    public void matvec(WeightMatrix w, float[] x, int xOff, float[] y, int yOff, LowRankSet lora) {
        matmul(w, x, xOff, w.cols(), y, yOff, w.rows(), 1, lora);
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int n,
            LowRankSet lora) {
        check(w);
        if (n <= 0) {
            return;
        }
        ProductChecks.range("activation x", x.length, xOff, xStride, n, w.cols());
        ProductChecks.range("output y", y.length, yOff, yStride, n, w.rows());
        LowRankSet active = lora == null || lora.isEmpty() ? null : lora;
        Runnable first = null;
        if (active != null) {
            if (n == 1 && pool.threads() > 1) {
                first = overlappedDown(w, active, x, xOff);
            } else {
                prepareLora(w, active, x, xOff, xStride, n);
            }
        }
        prepareActivations(w, x, xOff, xStride, n);
        // a batch keeps the per-row calls: a token loop around a row-range kernel cost 7 % of decode
        RowProduct fused = n == 1 ? tokenRows(w, x, xOff, y, yOff, active) : null;
        if (fused != null) {
            try {
                pool.parallelFor(w.rows(), ROW_GRAIN, fused, first);
            } finally {
                fused.clear();
                if (first != null) {
                    endOverlap();
                }
            }
            return;
        }
        RowTask t = rowTask;
        t.w = w;
        t.x = x;
        t.xOff = xOff;
        t.xStride = xStride;
        t.y = y;
        t.yOff = yOff;
        t.yStride = yStride;
        t.n = n;
        t.lora = active;
        try {
            pool.parallelFor(w.rows(), ROW_GRAIN, t, first);
        } finally {
            t.w = null;
            t.x = null;
            t.y = null;
            t.lora = null;
            if (first != null) {
                endOverlap();
            }
        }
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int outOff) {
        check(w);
        if (row < 0 || row >= w.rows()) {
            throw new IndexOutOfBoundsException("row " + row + " outside 0.." + (w.rows() - 1));
        }
        ProductChecks.range("output", out.length, outOff, 0, 1, w.cols());
        GgmlType type = w.type();
        int bs = type.blockSize();
        int bb = type.bytesPerBlock();
        long off = row * w.rowBytes();
        for (int c = 0; c < w.cols(); c += bs, off += bb) {
            Blocks.dequantize(type, w.data(), off, out, outOff + c);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private void check(WeightMatrix w) {
        if (!supports(w.type())) {
            throw new IllegalArgumentException("weight type " + w.type() + " is not supported by the kernels");
        }
    }

    /** The scratch of one thread, grown (only by that thread) to fit rows of {@code cols}. */
    final float[] scratchFor(int worker, int cols) {
        return scratchOf(worker, Math.max(256, cols / 16 + 16));
    }

    /** The scratch of one thread, grown (only by that thread) to at least {@code need} floats. */
    private float[] scratchOf(int worker, int need) {
        float[] s = blockScratch[worker];
        if (s.length < need) {
            s = new float[need];
            blockScratch[worker] = s;
        }
        return s;
    }

    private void checkLora(WeightMatrix w, LowRankSet lora, int n) {
        ProductChecks.loraFits(w, lora, n);
        for (LowRank term : lora.terms()) {
            check(term.a());
            check(term.b());
        }
    }

    /** t_k = scale_k * (A_k x) for every term and token, into the set's scratch, spread over the pool. */
    private void prepareLora(WeightMatrix w, LowRankSet lora, float[] x, int xOff, int xStride, int n) {
        checkLora(w, lora, n);
        LoraDownTask t = loraDownTask;
        t.lora = lora;
        t.x = x;
        t.xOff = xOff;
        t.xStride = xStride;
        try {
            // A x reads r rows of A (a few % of W's bytes): worth all threads
            pool.parallelFor(lora.totalRank * n, DOWN_GRAIN, t);
        } finally {
            t.lora = null;
            t.x = null;
        }
    }

    /**
     * One token on several threads: {@code t = A x} is left to the calling thread, as the
     * {@code callerFirst} of the rows' pass, while the other threads start on W's rows; a chunk
     * finished before t is ready puts its B term off ({@link #addLoraTermsOrDefer}). A pass of
     * its own over A cost a hand-over per product, and with rank 16 each thread's share (8 rows
     * of A) is too short a read to stream well: 26 us per product for both threads against 20
     * for one alone. Decode of the 1B Q4_0 model with r16 on all seven projections, 2 threads,
     * JMH, ten forks per arm alternating: 12.74 -> 12.92 tok/s. Returns the caller's part.
     */
    private Runnable overlappedDown(WeightMatrix w, LowRankSet lora, float[] x, int xOff) {
        checkLora(w, lora, 1);
        LoraDownTask t = loraDownTask;
        t.lora = lora;
        t.x = x;
        t.xOff = xOff;
        t.xStride = 0;
        Arrays.fill(deferredCount, 0);
        tReady = false;
        return downOnCaller;
    }

    private void computeDownOnCaller() {
        try {
            loraDownTask.run(0, loraDownTask.lora.totalRank, 0);
        } finally {
            tReady = true; // also on failure, or the other threads would wait for ever
        }
    }

    /** After an overlapped product: drops the down task's references; t counts as ready again. */
    private void endOverlap() {
        tReady = true;
        loraDownTask.lora = null;
        loraDownTask.x = null;
    }

    /**
     * {@link #addLoraTerms} for rows {@code [from, to)} now if t is ready (after any ranges this
     * thread put off), else noted for later, so the thread goes on to its next rows.
     */
    final void addLoraTermsOrDefer(LowRankSet lora, int from, int to, int n, float[] y, int yOff, int yStride,
            int worker) {
        if (!tReady) {
            int[] ranges = deferred[worker];
            int k = deferredCount[worker];
            if (k + 2 <= ranges.length) {
                ranges[k] = from;
                ranges[k + 1] = to;
                deferredCount[worker] = k + 2;
                return;
            }
            awaitT(); // cannot happen with the pool's chunk counts; waiting is still correct
        }
        flushDeferred(lora, n, y, yOff, yStride, worker);
        addLoraTerms(lora, from, to, n, y, yOff, yStride, worker);
    }

    /** Adds the B terms this thread put off, waiting for t if need be. */
    final void flushDeferred(LowRankSet lora, int n, float[] y, int yOff, int yStride, int worker) {
        int k = deferredCount[worker];
        if (k == 0) {
            return;
        }
        awaitT();
        deferredCount[worker] = 0;
        int[] ranges = deferred[worker];
        for (int i = 0; i < k; i += 2) {
            addLoraTerms(lora, ranges[i], ranges[i + 1], n, y, yOff, yStride, worker);
        }
    }

    private void awaitT() {
        while (!tReady) {
            Thread.onSpinWait();
        }
    }

    /** Computes entries {@code k = token * totalRank + j} of t: row j of the stacked A times x. */
    private final class LoraDownTask implements RangeTask {
        LowRankSet lora;
        float[] x;
        int xOff;
        int xStride;

        @Override
        public void run(int from, int to, int worker) {
            int total = lora.totalRank;
            float[] scratch = scratchFor(worker, lora.cols());
            float[] t = lora.scratch;
            for (int k = from; k < to;) {
                int tok = k / total;
                int j = k - tok * total;
                LowRank[] terms = lora.terms();
                int ti = 0;
                while (j >= terms[ti].rank()) {
                    j -= terms[ti].rank();
                    ti++;
                }
                LowRank term = terms[ti];
                float scale = term.scale();
                WeightMatrix a = term.a();
                int xo = xOff + tok * xStride;
                if (scale == 0f) {
                    t[k++] = 0f;
                } else if (k + 4 <= to && j + 4 <= term.rank() && dot4(a, j * a.rowBytes(), x, xo, t, k)) {
                    for (int end = k + 4; k < end; k++) {
                        t[k] *= scale;
                    }
                } else {
                    t[k++] = scale * dot(a, j * a.rowBytes(), x, xo, -1, scratch);
                }
            }
        }
    }

    /**
     * Adds the low-rank terms of output rows {@code [from, to)} for every token, after the rows'
     * dot products, as one stream of B's panels (with 2 threads, while the other thread computes).
     * Interleaved with the rows instead, a panel block after every 16 rows, each short burst paid
     * a memory latency: decode with r16 on all projections, 1B Q4_0, 1 thread, measured +5.4%
     * that way against +2.6% this way.
     */
    final void addLoraTerms(LowRankSet lora, int from, int to, int n, float[] y, int yOff, int yStride, int worker) {
        float[] scratch = scratchOf(worker, LowRankFactors.upScratchFloats(lora.totalRank));
        for (int tok = 0; tok < n; tok++) {
            int base = tok * lora.totalRank;
            for (LowRank term : lora.terms()) {
                if (term.scale() != 0f) {
                    loraUp(term, from, to, lora.scratch, base, y, yOff + tok * yStride, scratch);
                }
                base += term.rank();
            }
        }
    }

    /** The reusable per-call state of one product; runs a range of rows for every token. */
    private final class RowTask implements RangeTask {
        WeightMatrix w;
        float[] x;
        int xOff;
        int xStride;
        float[] y;
        int yOff;
        int yStride;
        int n;
        LowRankSet lora;

        @Override
        public void run(int from, int to, int worker) {
            float[] scratch = scratchFor(worker, w.cols());
            rows(from, to, scratch);
            if (lora != null) {
                addLoraTermsOrDefer(lora, from, to, n, y, yOff, yStride, worker);
            }
        }

        @Override
        public void finish(int worker) {
            if (lora != null) {
                flushDeferred(lora, n, y, yOff, yStride, worker);
            }
        }

        private void rows(int from, int to, float[] scratch) {
            long rb = w.rowBytes();
            MemorySegment data = w.data();
            int touched = 0;
            for (int i = from; i < to; i++) {
                long rowOff = i * rb;
                touched += ReadAhead.touch(data, rowOff, rb);
                // Each weight row is used for every token while it is still in cache.
                for (int tok = 0; tok < n; tok++) {
                    y[yOff + tok * yStride + i] = dot(w, rowOff, x, xOff + tok * xStride, tok, scratch);
                }
            }
            ReadAhead.keep(touched);
        }
    }
}
