package dev.vireo.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one {@link RangeTask} at a time over an index range, with the
 * calling thread taking a share of the work. Threads are created once; a call allocates nothing:
 * the caller publishes the task and bumps a phase counter, workers (spinning briefly, then
 * parked) see the new phase, take chunks from a shared counter, and report completion.
 *
 * <p>One caller at a time (not re-entrant: a task must not call {@code parallelFor} on its pool).
 */
public final class WorkerPool implements AutoCloseable {
    /** Spin iterations before a waiting worker parks: short bursts of calls stay hot. */
    private static final int SPIN_LIMIT = 20_000;

    private final Thread[] workers;
    private final int threads;

    // Published before the phase increment (volatile write), read after it (volatile read).
    private RangeTask task;
    private int total;
    private int chunk;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int phase;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** @param threads total threads including the caller ({@code >= 1}) */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " must be at least 1");
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            Thread t = new Thread(() -> workLoop(index), "vireo-worker-" + index);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Number of threads sharing the work, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, n)} in chunks of a multiple of {@code grain} indices (more
     * than one grain when that still gives each thread a few chunks; only the last chunk may be
     * shorter) and returns when all are done. Exceptions thrown by
     * the task are rethrown here.
     */
    public void parallelFor(int n, int grain, RangeTask task) {
        parallelFor(n, grain, task, null);
    }

    /**
     * Like {@link #parallelFor(int, int, RangeTask)}, but the calling thread first runs
     * {@code callerFirst} (when not null) while the other threads already take chunks, then
     * joins them: serial work the chunks can do without for a while (they must wait for its
     * result themselves, e.g. through a volatile flag it sets) costs no hand-over of its own.
     */
    public void parallelFor(int n, int grain, RangeTask task, Runnable callerFirst) {
        if (n <= 0) {
            if (callerFirst != null) {
                callerFirst.run();
            }
            return;
        }
        int g = Math.max(1, grain);
        if (threads == 1 || n <= g) {
            if (callerFirst != null) {
                callerFirst.run();
            }
            task.run(0, n, 0);
            task.finish(0);
            return;
        }
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        // A few chunks per thread balance uneven progress without many atomic operations; a
        // multiple of the grain, so chunks start on the grain (row kernels rely on the alignment).
        int c = Math.max(g, (n + threads * 4 - 1) / (threads * 4));
        c = (c + g - 1) / g * g;
        this.task = task;
        this.total = n;
        this.chunk = c;
        this.failure = null;
        this.caller = Thread.currentThread();
        next.set(0);
        pending.set(workers.length);
        phase = phase + 1; // publishes the fields above
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable own = null;
        try {
            if (callerFirst != null) {
                callerFirst.run();
            }
            runChunks(0);
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPIN_LIMIT) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        this.task = null;
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error er) {
            throw er;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** Like {@link #parallelFor(int, int, RangeTask)} with a grain of 1. */
    public void parallelFor(int n, RangeTask task) {
        parallelFor(n, 1, task);
    }

    private void runChunks(int worker) {
        RangeTask t = task;
        int n = total;
        int c = chunk;
        for (int from = next.getAndAdd(c); from < n; from = next.getAndAdd(c)) {
            t.run(from, Math.min(n, from + c), worker);
        }
        t.finish(worker);
    }

    private void workLoop(int index) {
        int seen = 0;
        while (true) {
            int spins = 0;
            int p;
            while ((p = phase) == seen && !closed) {
                if (++spins < SPIN_LIMIT) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = p;
            try {
                runChunks(index);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the worker threads (idempotent). */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
