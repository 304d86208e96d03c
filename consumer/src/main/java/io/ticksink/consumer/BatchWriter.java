package io.ticksink.consumer;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.Retry;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickStore;
import io.ticksink.schema.WriteResult;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write stage, and the only place where ticks are written: stores each decoded batch in its
 * day files and its rejects in the dead-letter topic, on a writer thread of its own, one batch at a
 * time in the order submitted, retrying failed attempts with backoff for as long as it takes (the
 * policy {@link #writeRetry}). {@link #settle} hands back what was written; the consumer thread
 * passes it on to the committer.
 *
 * <p>A batch ends in one of three ways: stored; given up ({@link #abandon}, its partitions left)
 * at its next failed attempt; or failed for good ({@link StoreException.Fatal}). After a batch
 * failed for good, or after {@link #halt}, the writer is halted: it takes no batch any more, so
 * nothing read after that batch is ever written. A batch is settled only once the writer thread
 * has returned from it: while an attempt is still inside SQLite (a busy wait, say), the batch is
 * in flight, whatever was asked of it.
 *
 * <p>Thread safety: {@link #submit}, {@link #settle}, {@link #abandon}, {@link #halt} and the
 * queries are for the consumer thread only. The submitted batch is read by the writer thread and
 * changed by nobody; the writer's progress through it (days stored, dead letters acknowledged)
 * stays on the writer thread.
 */
final class BatchWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    /** The writer's policy: what may succeed on a later attempt is retried until it does, or the batch is given up. */
    static Retry writeRetry(Backoff backoff) {
        return Retry.forever("storing a batch", e -> e instanceof StoreException.Retriable
                || e instanceof DeadLetters.PublishException, backoff);
    }

    /** A batch the writer is done with: {@code stored}, or given up before it was. */
    record Settled(DecodedBatch batch, boolean stored) {
    }

    private final TickStore store;
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final Faults faults;
    private final Retry retry;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ticksink-writer");
        t.setDaemon(true);
        return t;
    });
    private Future<Boolean> inFlight;
    private DecodedBatch inFlightBatch;
    private volatile boolean abandon;
    private volatile boolean failing;
    private boolean halted;

    BatchWriter(TickStore store, DeadLetters deadLetters, ConsumerMetrics metrics, Faults faults, Backoff backoff) {
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.faults = faults;
        this.retry = writeRetry(backoff).withListener(new Retry.Listener() {
            @Override
            public void retrying(int failures, Exception cause, Duration delay) {
                failing = true;
                metrics.retried();
                metrics.notReady("writes failing: " + cause.getMessage());
            }

            @Override
            public void recovered(int failures) {
                failing = false;
            }
        });
    }

    /** Hands a batch to the writer thread. Nothing may be in flight, and the writer must not be halted. */
    void submit(DecodedBatch batch) {
        if (halted) {
            throw new IllegalStateException("the writer is halted: nothing more is written");
        }
        if (inFlight != null) {
            throw new IllegalStateException("a batch is in flight");
        }
        inFlightBatch = batch;
        abandon = false;
        inFlight = thread.submit(() -> write(batch));
    }

    /** Whether a batch is in flight: being written, or done with and not settled yet. */
    boolean busy() {
        return inFlight != null;
    }

    Set<TopicPartition> partitionsInFlight() {
        return inFlight == null ? Set.of() : inFlightBatch.partitions();
    }

    /** Whether the last write attempt failed: readiness stays false until one succeeds. */
    boolean failing() {
        return failing;
    }

    /** Whether the writer takes no more batches: a batch failed for good, or {@link #halt} was called. */
    boolean halted() {
        return halted;
    }

    /** Gives the batch in flight up at its next failed attempt: its partitions left. */
    void abandon() {
        abandon = true;
    }

    /** Takes no batch any more, and gives the one in flight up at its next failed attempt: the consumer stops uncommitted. */
    void halt() {
        halted = true;
        abandon = true;
    }

    /**
     * Waits up to {@code waitNanos} for the writer to be done with the batch in flight, and hands
     * it back: stored, or given up. Empty while it is still in flight, or when nothing is. Throws
     * what retrying cannot fix; the writer is halted then.
     */
    Optional<Settled> settle(long waitNanos) throws StoreException.Fatal {
        if (inFlight == null || (!inFlight.isDone() && waitNanos <= 0)) {
            return Optional.empty();
        }
        DecodedBatch batch = inFlightBatch;
        boolean stored;
        try {
            stored = inFlight.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            clear();
            halted = true;
            Throwable cause = e.getCause();
            if (cause instanceof StoreException.Fatal fatal) {
                throw fatal;
            }
            throw new StoreException.Fatal("writing a batch failed: " + cause, cause);
        }
        clear();
        if (!stored) {
            log.info("gave up a batch of {} records of {} before it was stored; they are read again",
                    batch.records(), batch.partitions());
        }
        return Optional.of(new Settled(batch, stored));
    }

    private void clear() {
        inFlight = null;
        inFlightBatch = null;
    }

    /** The writer thread's part: true once the batch is stored, false when it was given up first. */
    private boolean write(DecodedBatch batch) throws Exception {
        Progress progress = new Progress(batch.rejected());
        try {
            retry.run(() -> writeRest(batch, progress), () -> abandon);
            failing = false;
            return true;
        } catch (Retry.Cancelled e) {
            return false;
        } catch (InterruptedException e) {
            // only close() interrupts the writer: the consumer has stopped and settles nothing more
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One attempt: the days not stored yet, then the dead letters not acknowledged yet. */
    private Void writeRest(DecodedBatch batch, Progress progress) throws Exception {
        for (LocalDate day : batch.days()) {
            if (progress.storedDays.contains(day)) {
                continue;
            }
            faults.beforeDayWrite();
            long start = System.nanoTime();
            WriteResult result = store.write(day, batch.chunks(day));
            metrics.batchWritten(result.stored(), result.skipped(), System.nanoTime() - start);
            if (result.skipped() > 0) {
                log.info("{}: skipped {} redelivered ticks already stored", store.fileOf(day).getFileName(), result.skipped());
            }
            for (String stream : result.restarted()) {
                log.error("{}: {} holds ticks of another incarnation of the partition than these: its offsets went back "
                        + "(the topic was deleted and created again, or offsets were reused). These ticks are stored as "
                        + "new; nothing stored before is overwritten", store.fileOf(day).getFileName(), stream);
                metrics.streamRestarted(stream);
            }
            progress.storedDays.add(day);
            faults.afterDayCommit();
        }
        if (!progress.pendingRejects.isEmpty()) {
            DeadLetters.Published published = deadLetters.publish(progress.pendingRejects, batch.offsets()); // counts what became durable
            progress.pendingRejects = published.failed();
            if (published.failure() != null) {
                throw published.failure();
            }
        }
        return null;
    }

    /** How far the writer got with one batch; lives on the writer thread. */
    private static final class Progress {
        final Set<LocalDate> storedDays = new HashSet<>();
        List<DecodedBatch.Rejected> pendingRejects;

        Progress(List<DecodedBatch.Rejected> rejects) {
            this.pendingRejects = rejects;
        }
    }

    /** Halts and stops the writer thread; what it was writing is not settled any more. */
    @Override
    public void close() {
        halt();
        thread.shutdownNow();
    }
}
