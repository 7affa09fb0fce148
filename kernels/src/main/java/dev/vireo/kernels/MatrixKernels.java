package dev.vireo.kernels;

/**
 * Products of quantized weight matrices with float activations, spread over one fixed thread
 * pool. Obtain an instance from {@link KernelProvider}; close it to stop its threads.
 *
 * <p>Calls allocate nothing and create no threads. One instance may be used by one caller at a
 * time (a session); the thread pool is not re-entrant.
 */
public interface MatrixKernels extends AutoCloseable {

    /** "Vector API, 512-bit" or "scalar fallback": for the load line and benchmarks. */
    String description();

    /** Number of threads the products are split over. */
    int threads();

    /**
     * The fixed thread pool the products run on. Callers may use it for their own parallel work
     * (e.g. attention heads) between products, from the same thread that calls the products.
     */
    WorkerPool pool();

    /**
     * {@code y[yOff + i] = W_i . x[xOff ..] + sum_k s_k * (B_k,i . (A_k x))} for every row i.
     *
     * @param lora low-rank terms, or null for none
     */
    void matvec(WeightMatrix w, float[] x, int xOff, float[] y, int yOff, LowRankSet lora);

    /**
     * The same for {@code n} activation vectors: token t reads {@code x[xOff + t*xStride ..]} and
     * writes {@code y[yOff + t*yStride .. + rows)}. Equal to {@code n} matvec calls.
     */
    void matmul(WeightMatrix w, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int n, LowRankSet lora);

    /** Dequantizes row {@code row} of W into {@code out[outOff .. outOff + cols)}. */
    void dequantizeRow(WeightMatrix w, int row, float[] out, int outOff);

    /** Stops the pool's threads. */
    @Override
    void close();
}
