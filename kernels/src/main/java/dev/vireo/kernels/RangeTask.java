package dev.vireo.kernels;

/**
 * A piece of parallel work over the index range {@code [0, n)} that {@link WorkerPool#parallelFor}
 * splits into chunks. Implementations are reusable objects (fields set before each call), so a
 * call allocates nothing.
 */
@FunctionalInterface
public interface RangeTask {
    /**
     * Processes indices {@code [from, to)}.
     *
     * @param worker index of the thread running this chunk, {@code 0 <= worker < pool.threads()}
     *     (0 is the calling thread); lets a task use per-thread scratch space
     */
    void run(int from, int to, int worker);

    /**
     * Called once on each thread of a {@link WorkerPool#parallelFor} call after it has taken its
     * last chunk (none, perhaps), before the call can return; lets a task finish work it put
     * off. Does nothing by default.
     */
    default void finish(int worker) {}
}
