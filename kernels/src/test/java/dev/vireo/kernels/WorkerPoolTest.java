package dev.vireo.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    /** A reusable task that counts how often each index ran and which workers took part. */
    static final class Counting implements RangeTask {
        AtomicIntegerArray hits;
        final AtomicIntegerArray workers = new AtomicIntegerArray(8);

        @Override
        public void run(int from, int to, int worker) {
            workers.incrementAndGet(worker);
            for (int i = from; i < to; i++) {
                hits.incrementAndGet(i);
            }
        }
    }

    /**
     * The caller's first work runs before the caller takes any chunk (its flag is up before the
     * caller's first chunk), every index still runs once, and each thread taking part gets one
     * finish call after its chunks, also when the range is too small to split.
     */
    @Test
    void callerFirstRunsBeforeTheCallersChunksAndEachThreadFinishesOnce() {
        for (int threads : new int[] {1, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                for (int n : new int[] {3, 16, 1001}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    AtomicIntegerArray finishes = new AtomicIntegerArray(threads);
                    AtomicIntegerArray chunksAfterFinish = new AtomicIntegerArray(threads);
                    boolean[] firstDone = {false};
                    boolean[] callerSawFirst = {true};
                    RangeTask task = new RangeTask() {
                        @Override
                        public void run(int from, int to, int worker) {
                            if (worker == 0 && !firstDone[0]) {
                                callerSawFirst[0] = false;
                            }
                            if (finishes.get(worker) > 0) {
                                chunksAfterFinish.incrementAndGet(worker);
                            }
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        }

                        @Override
                        public void finish(int worker) {
                            finishes.incrementAndGet(worker);
                        }
                    };
                    pool.parallelFor(n, 4, task, () -> firstDone[0] = true);
                    assertTrue(firstDone[0], "caller's first work ran");
                    assertTrue(callerSawFirst[0], "the caller took chunks only after its first work");
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), threads + " threads, n " + n + " index " + i);
                    }
                    assertEquals(1, finishes.get(0), "the caller finishes once");
                    for (int w = 0; w < threads; w++) {
                        assertTrue(finishes.get(w) <= 1, "worker " + w + " finished more than once");
                        assertEquals(0, chunksAfterFinish.get(w), "worker " + w + " ran a chunk after finishing");
                    }
                }
            }
        }
    }

    @Test
    void everyIndexRunsExactlyOnceAcrossManyCalls() {
        try (WorkerPool pool = new WorkerPool(3)) {
            Counting task = new Counting();
            for (int n : new int[] {1, 2, 15, 16, 17, 100, 1001, 4099}) {
                for (int repeat = 0; repeat < 20; repeat++) {
                    task.hits = new AtomicIntegerArray(n);
                    pool.parallelFor(n, 4, task);
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, task.hits.get(i), "n " + n + " index " + i);
                    }
                }
            }
            assertTrue(task.workers.get(0) > 0, "the calling thread shares the work");
            for (int w = 3; w < 8; w++) {
                assertEquals(0, task.workers.get(w), "worker index " + w + " is out of range");
            }
        }
    }

    /** The row kernels rely on it: a LoRA panel of rows never straddles two chunks. */
    @Test
    void chunksStartOnTheGrainAndOnlyTheLastIsShorter() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int n : new int[] {17, 83, 100, 2048, 4099}) {
                for (int grain : new int[] {1, 3, 16}) {
                    AtomicIntegerArray bad = new AtomicIntegerArray(1);
                    int total = n;
                    int g = grain;
                    pool.parallelFor(n, grain, (from, to, worker) -> {
                        if (from % g != 0 || (to != total && (to - from) % g != 0)) {
                            bad.incrementAndGet(0);
                        }
                    });
                    assertEquals(0, bad.get(0), "n " + n + " grain " + grain + ": a chunk off the grain");
                }
            }
        }
    }

    @Test
    void exceptionsReachTheCallerAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            RangeTask failing = (from, to, worker) -> {
                if (from <= 500 && 500 < to) {
                    throw boom;
                }
            };
            assertSame(boom, assertThrows(IllegalStateException.class, () -> pool.parallelFor(1000, 8, failing)));
            Counting task = new Counting();
            task.hits = new AtomicIntegerArray(300);
            pool.parallelFor(300, 8, task);
            for (int i = 0; i < 300; i++) {
                assertEquals(1, task.hits.get(i));
            }
        }
    }

    @Test
    void singleThreadRunsInline() {
        try (WorkerPool pool = new WorkerPool(1)) {
            Thread caller = Thread.currentThread();
            pool.parallelFor(50, 1, (from, to, worker) -> {
                assertSame(caller, Thread.currentThread());
                assertEquals(0, worker);
            });
        }
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }

    @Test
    void closedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> pool.parallelFor(100, 1, (from, to, worker) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
