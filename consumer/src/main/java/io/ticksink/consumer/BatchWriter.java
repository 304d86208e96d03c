package io.ticksink.consumer;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickStore;
import io.ticksink.schema.WriteResult;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores decoded batches in the day files and their rejects in the dead-letter topic: once on
 * the calling thread ({@link #writeOnce}), or on its own writer thread ({@link #submit}), one batch
 * at a time, retried with exponential backoff until it is stored, given up ({@link #abandon}) or
 * fails for good.
 *
 * <p>{@link #writeOnce} may be called from any thread; {@link #submit}, {@link #settle} and the
 * in-flight queries belong to the consumer thread.
 */
final class BatchWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private final TickStore store;
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final Faults faults;
    private final Backoff backoff;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ticksink-writer");
        t.setDaemon(true);
        return t;
    });
    private Future<?> inFlight;
    private DecodedBatch inFlightBatch;
    private Set<TopicPartition> inFlightPartitions = Set.of();
    private volatile boolean abandon;
    private volatile boolean failing;

    BatchWriter(TickStore store, DeadLetters deadLetters, ConsumerMetrics metrics, Faults faults, Backoff backoff) {
        this.store = store;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.faults = faults;
        this.backoff = backoff;
    }

    /** Writes every day of the batch not written yet, then the dead letters. */
    void writeOnce(DecodedBatch batch) throws StoreException, DeadLetters.PublishException,
            InterruptedException {
        for (LocalDate day : batch.days()) {
            long start = System.nanoTime();
            WriteResult result = store.write(day, batch.chunks(day));
            metrics.batchWritten(result.stored(), result.skipped(), System.nanoTime() - start);
            if (result.skipped() > 0) {
                log.info("{}: skipped {} redelivered ticks already stored", store.fileOf(day).getFileName(), result.skipped());
            }
            batch.written(day);
            faults.afterDayCommit();
        }
        List<DecodedBatch.Rejected> rejected = batch.rejected();
        if (!rejected.isEmpty()) {
            // publish() counts what it made durable; only the rest is sent again
            DeadLetters.Published published = deadLetters.publish(List.copyOf(rejected));
            rejected.retainAll(published.failed());
            if (published.failure() != null) {
                throw published.failure();
            }
        }
    }

    /** Hands a decoded batch to the writer thread; the previous one must be settled. */
    void submit(DecodedBatch batch) {
        inFlightBatch = batch;
        inFlightPartitions = Set.copyOf(batch.offsets().keySet());
        abandon = false;
        inFlight = thread.submit(() -> {
            writeWithRetry(batch);
            return null;
        });
    }

    /** Whether a batch is in flight (being written, or written and not settled yet). */
    boolean busy() {
        return inFlight != null;
    }

    Set<TopicPartition> partitionsInFlight() {
        return inFlightPartitions;
    }

    /** Whether the last write attempt failed: readiness stays false until one succeeds. */
    boolean failing() {
        return failing;
    }

    /** Gives the batch in flight up at its next failed attempt: its partitions left, or the consumer stops. */
    void abandon() {
        abandon = true;
    }

    /**
     * Settles the batch in flight once its write finished, waiting up to {@code waitNanos}: hands
     * it to {@code onWritten}, or rethrows what retrying cannot fix. Returns false while it is
     * still being written; true when nothing is in flight any more.
     */
    boolean settle(long waitNanos, Consumer<DecodedBatch> onWritten) throws StoreException {
        if (inFlight == null) {
            return true;
        }
        if (!inFlight.isDone() && waitNanos <= 0) {
            return false;
        }
        DecodedBatch batch = inFlightBatch;
        try {
            inFlight.get(Math.max(waitNanos, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            clear();
            Throwable cause = e.getCause();
            if (cause instanceof Abandoned) {
                log.info("gave up the batch of revoked partitions in flight; their new owner reads it again");
                return true;
            }
            if (cause instanceof StoreException se) {
                throw se;
            }
            throw new StoreException.Fatal("writing a batch failed: " + cause, cause);
        }
        clear();
        onWritten.accept(batch);
        return true;
    }

    private void clear() {
        inFlight = null;
        inFlightBatch = null;
        inFlightPartitions = Set.of();
    }

    /** The writer thread's part: write the batch, retrying with backoff until it is stored or given up. */
    private void writeWithRetry(DecodedBatch batch) throws StoreException, Abandoned, InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                writeOnce(batch);
                if (attempt > 0) {
                    log.info("write succeeded after {} retries", attempt);
                }
                failing = false;
                return;
            } catch (StoreException.Retriable | DeadLetters.PublishException e) {
                attempt++;
                failing = true;
                metrics.retried();
                metrics.notReady("writes failing: " + e.getMessage());
                Duration delay = backoff.delay(attempt);
                log.warn("attempt {} to store a batch of {} records failed, retrying in {} ms: {}",
                        attempt, batch.records(), delay.toMillis(), e.getMessage());
                if (abandon) {
                    throw new Abandoned();
                }
                Thread.sleep(delay.toMillis()); // the writer thread's backoff; the consumer thread keeps polling
                if (abandon) {
                    throw new Abandoned();
                }
            }
        }
    }

    @Override
    public void close() {
        abandon = true;
        thread.shutdownNow();
    }

    /** The batch in flight was given up: its partitions were revoked or the consumer stops. */
    private static final class Abandoned extends Exception {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super(null, null, false, false);
        }
    }

}
