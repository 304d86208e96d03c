package io.ticksink.migrator;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.TickStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The writers: a fixed set of {@link DayWriter} threads, each owning the days whose number falls
 * to it, so a day file has exactly one writer and different days are written in parallel.
 *
 * <p>Memory stays flat because parsers may hand over only {@code maxQueuedTicks} ticks that are
 * not yet committed; a parser waits in {@link #submit} until writers catch up.
 *
 * <p>Thread safe.
 */
final class WritePool {

    private final List<DayWriter> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Semaphore queuedTicks;

    /**
     * @param completed called once per file, on a writer thread or the caller's, when the last of
     *     its chunks settled and its parse had ended before
     */
    WritePool(TickStore store, int writerCount, int transactionTicks, int maxQueuedTicks, Duration retryFor,
              RunTotals totals, RunFailure failure, Consumer<FileJob> completed) {
        this.queuedTicks = new Semaphore(maxQueuedTicks);
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));
        for (int i = 0; i < writerCount; i++) {
            DayWriter writer = new DayWriter(store, transactionTicks, backoff, retryFor, totals, failure, task -> {
                queuedTicks.release(task.chunk().size());
                if (task.job().release()) {
                    completed.accept(task.job());
                }
            });
            writers.add(writer);
            Thread thread = new Thread(writer, "writer-" + i);
            threads.add(thread);
            thread.start();
        }
    }

    /** Queues a chunk for its day's writer; waits while too many ticks are queued. */
    void submit(WriteTask task) throws InterruptedException {
        queuedTicks.acquire(task.chunk().size()); // chunks never exceed maxQueuedTicks (checked by the config)
        task.job().hold();
        writers.get((int) Math.floorMod(task.day().toEpochDay(), (long) writers.size())).submit(task);
    }

    /** Waits until every queued chunk is settled and the writers have ended. */
    void finish() throws InterruptedException {
        writers.forEach(DayWriter::finish);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
