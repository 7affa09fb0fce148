package dev.vireo.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * One one-token product {@code y = W x (+ LoRA)} whose rows are computed by a row-range kernel
 * ({@link Int8RowKernels}, {@link FloatRowKernels}): the arguments every chunk of rows needs, set
 * before the rows are split over the pool and cleared after. Reused from product to product
 * (allocation-free).
 */
final class RowProduct implements RangeTask {
    private final PooledMatrixKernels owner;
    /** The weight type's row-range kernel: {@code (data, rowBytes, cols, acts, x, xOff, y, yOff, from, to)}. */
    private MethodHandle kernel;
    private MemorySegment data;
    private long rowBytes;
    private int cols;
    /** The token's activations as 8-bit integers (quantized weights)... */
    private Int8Activations acts;
    /** ... or as floats, from {@code xOff} (float weights). */
    private float[] x;
    private int xOff;
    private float[] y;
    private int yOff;
    /** The active LoRA terms, {@code t} already in their scratch; null for none. */
    private LowRankSet lora;

    RowProduct(PooledMatrixKernels owner) {
        this.owner = owner;
    }

    void set(MethodHandle kernel, WeightMatrix w, Int8Activations acts, float[] x, int xOff, float[] y, int yOff,
            LowRankSet lora) {
        this.kernel = kernel;
        this.data = w.data();
        this.rowBytes = w.rowBytes();
        this.cols = w.cols();
        this.acts = acts;
        this.x = x;
        this.xOff = xOff;
        this.y = y;
        this.yOff = yOff;
        this.lora = lora;
    }

    /** Drops the references to the caller's arrays and the weights. */
    void clear() {
        kernel = null;
        data = null;
        acts = null;
        x = null;
        y = null;
        lora = null;
    }

    @Override
    public void run(int from, int to, int worker) {
        try {
            kernel.invokeExact(data, rowBytes, cols, acts, x, xOff, y, yOff, from, to);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (lora != null) {
            owner.addLoraTermsOrDefer(lora, from, to, 1, y, yOff, 0, worker);
        }
    }

    @Override
    public void finish(int worker) {
        if (lora != null) {
            owner.flushDeferred(lora, 1, y, yOff, 0, worker);
        }
    }
}
