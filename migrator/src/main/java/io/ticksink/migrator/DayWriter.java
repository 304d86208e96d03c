package io.ticksink.migrator;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.Retry;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.TickStore;
import io.ticksink.schema.WriteResult;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write stage: one thread writing the days assigned to it. It takes the chunks of its queue in
 * order, so the chunks of one file for one day are committed in position order (the store's
 * positions require it), and writes what has queued up for a day in one transaction of up to
 * {@code transactionTicks} ticks.
 *
 * <p>A busy or locked day file (a live consumer writing the same day) is retried with backoff
 * until {@code retryFor} has passed (the product's {@link Retry} policy, bound in time); then the files of the batch are marked
 * {@link FileJob.Outcome#WRITE_FAILED} and a re-run finishes them. A chunk of a file the day
 * file stored under another fingerprint marks that file {@link FileJob.Outcome#CHANGED} and the
 * rest of the batch is written without it.
 *
 * <p>Thread safe: {@link #submit} may be called from any thread; the rest runs on the writer's
 * own thread.
 */
final class DayWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DayWriter.class);
    private static final WriteTask END = new WriteTask(null, null, null);

    /** What a writer reports back for each task it settled. */
    interface Settled {
        void settled(WriteTask task);
    }

    private final TickStore store;
    private final int transactionTicks;
    private final Backoff backoff;
    private final Duration retryFor;
    private final RunTotals totals;
    private final RunFailure failure;
    private final Settled settled;
    private final BlockingQueue<WriteTask> queue = new LinkedBlockingQueue<>();

    DayWriter(TickStore store, int transactionTicks, Backoff backoff, Duration retryFor, RunTotals totals,
              RunFailure failure, Settled settled) {
        this.store = store;
        this.transactionTicks = transactionTicks;
        this.backoff = backoff;
        this.retryFor = retryFor;
        this.totals = totals;
        this.failure = failure;
        this.settled = settled;
    }

    /** Queues a chunk; the caller bounds how many ticks are queued (see {@link WritePool}). */
    void submit(WriteTask task) {
        queue.add(task);
    }

    /** Lets the writer end once it has written everything queued before. */
    void finish() {
        queue.add(END);
    }

    @Override
    public void run() {
        List<WriteTask> batch = new ArrayList<>();
        boolean ending = false;
        try {
            while (!ending) {
                WriteTask first = queue.take();
                if (first == END) {
                    break;
                }
                batch.add(first);
                int ticks = first.chunk().size();
                WriteTask next;
                while (ticks < transactionTicks && (next = queue.poll()) != null) {
                    if (next == END) {
                        ending = true;
                        break;
                    }
                    batch.add(next);
                    ticks += next.chunk().size();
                }
                for (Map.Entry<LocalDate, List<WriteTask>> day : byDay(batch).entrySet()) {
                    try {
                        write(day.getKey(), day.getValue());
                    } catch (RuntimeException e) {
                        // a bug, not a data problem: stop the run, but keep settling the queue so
                        // that no parser waits forever for room
                        failure.fail("writer failed: " + e, e);
                        day.getValue().forEach(this::abandon);
                    }
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.forEach(this::abandon);
            failure.fail("writer interrupted", e);
        }
    }

    /** Groups a batch per day, keeping the queue order within each day. */
    static Map<LocalDate, List<WriteTask>> byDay(List<WriteTask> batch) {
        Map<LocalDate, List<WriteTask>> days = new LinkedHashMap<>();
        for (WriteTask task : batch) {
            days.computeIfAbsent(task.day(), d -> new ArrayList<>()).add(task);
        }
        return days;
    }

    private void write(LocalDate day, List<WriteTask> tasks) throws InterruptedException {
        List<WriteTask> live = new ArrayList<>(tasks.size());
        for (WriteTask task : tasks) {
            if (task.job().abandoned() || failure.failed()) {
                settle(task);
            } else {
                live.add(task);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        Retry retry = Retry.within(retryFor, "writing " + ticks(live) + " ticks to " + store.fileOf(day),
                e -> e instanceof StoreException.Retriable, backoff);
        try {
            retry.run(() -> writeRefusingChanged(day, live));
            live.forEach(this::settle);
        } catch (StoreException.Retriable e) {
            live.forEach(this::abandon); // retryFor spent: a re-run finishes these files
        } catch (StoreException e) { // Fatal: the only kind left
            failure.fail("cannot write " + store.fileOf(day) + ": " + e.getMessage(), e);
            live.forEach(this::abandon);
        }
    }

    /**
     * One attempt: writes the tasks' chunks in one transaction. A file the day file stored under
     * another fingerprint is refused and taken out of {@code live}, and the rest written without it.
     */
    private Void writeRefusingChanged(LocalDate day, List<WriteTask> live) throws StoreException {
        while (!live.isEmpty()) {
            List<StreamChunk> chunks = new ArrayList<>(live.size());
            live.forEach(t -> chunks.add(t.chunk()));
            try {
                WriteResult result = store.write(day, chunks);
                totals.committed(day, result.stored(), result.skipped());
                return null;
            } catch (StoreException.SourceChanged e) {
                boolean found = live.removeIf(task -> {
                    if (task.job().stream().equals(e.stream())) {
                        task.job().raise(FileJob.Outcome.CHANGED);
                        settle(task);
                        return true;
                    }
                    return false;
                });
                if (!found) {
                    throw new IllegalStateException("source change reported for a stream not in the batch: "
                            + e.stream(), e);
                }
            }
        }
        return null;
    }

    private void abandon(WriteTask task) {
        if (task.settle()) {
            task.job().raise(FileJob.Outcome.WRITE_FAILED);
            settled.settled(task);
        }
    }

    private void settle(WriteTask task) {
        if (task.settle()) {
            settled.settled(task);
        }
    }

    private static int ticks(List<WriteTask> tasks) {
        return tasks.stream().mapToInt(t -> t.chunk().size()).sum();
    }
}
