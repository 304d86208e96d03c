package io.ticksink.consumer;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop: poll, decode, write each day file the batch touches in one
 * transaction, publish rejects to the dead-letter topic, and only then commit the batch's offsets.
 *
 * <p>Exactly once: each day file stores, with its rows, the next offset it holds per partition;
 * a redelivered record (after a crash between the SQLite and the Kafka commit, a rebalance, a
 * crash between two day files of one batch) is skipped only if its own day file covers its offset.
 *
 * <p>A failed write is retried with exponential backoff; between attempts the partitions are
 * paused and the loop keeps polling, so the consumer stays in its group. Not thread safe, except
 * {@link #requestStop()}, which any thread may call.
 */
public final class TickConsumer {

    /** Exit statuses of {@link #run()}. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FATAL = 2;
    public static final int EXIT_UNCOMMITTED = 3;

    private static final Logger log = LoggerFactory.getLogger(TickConsumer.class);
    private static final long IDLE_POLL_NANOS = Duration.ofMillis(200).toNanos();
    private static final int REVOCATION_ATTEMPTS = 3;
    /** How often the loop looks whether the batch in flight is written. */
    private static final long IN_FLIGHT_POLL_NANOS = Duration.ofMillis(2).toNanos();
    /** How long a rebalance waits for the batch in flight before giving its partitions up uncommitted. */
    private static final long REVOCATION_WAIT_NANOS = Duration.ofSeconds(10).toNanos();

    private final Consumer<byte[], byte[]> consumer;
    private final TickStore store;
    private final ConsumerMetrics metrics;
    private final String topic;
    private final Backoff backoff;
    private final Duration shutdownTimeout;
    private final Duration idleClose;
    /** Polled records, decoded as they arrive, until the writer takes them. */
    private final OpenBatch open;

    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    /** Written synchronously (at stop, at hand-over) by this thread, with retries that keep polling. */
    private DecodedBatch inHand;
    /**
     * The pipeline: while the writer thread stores the batch in flight, this thread polls and
     * decodes the next one. Batches are written strictly in order, one at a time: a later record
     * of a partition is never stored before an earlier one, which the day files' positions need.
     */
    private final BatchWriter writer;
    private boolean pausedForBackpressure;
    /** The commit stage: offsets of written batches only. */
    private final OffsetCommitter committer;
    private StoreException.Fatal fatalInListener;
    private long lastIdleCheckNanos = System.nanoTime();

    public TickConsumer(ConsumerConfig config, Consumer<byte[], byte[]> consumer, DeadLetters deadLetters,
                        TickStore store, ConsumerMetrics metrics) {
        this.consumer = consumer;
        this.store = store;
        this.metrics = metrics;
        Faults faults = Faults.fromSystemProperty();
        this.topic = config.topic;
        this.backoff = new Backoff(config.retryInitial, config.retryMax);
        this.shutdownTimeout = config.shutdownTimeout;
        this.idleClose = config.idleClose;
        this.open = new OpenBatch(new BatchDecoder(), config.batchSize, config.linger.toNanos());
        this.writer = new BatchWriter(store, deadLetters, metrics, faults, backoff);
        this.committer = new OffsetCommitter(consumer, metrics, faults);
    }

    /** Asks the loop to finish the batch in hand, commit and return. Safe from any thread. */
    public void requestStop() {
        if (!stopping) {
            stopDeadlineNanos = System.nanoTime() + shutdownTimeout.toNanos();
            stopping = true;
            consumer.wakeup();
        }
    }

    /** Runs until {@link #requestStop()} or a fatal error; returns the exit status. */
    public int run() {
        consumer.subscribe(List.of(topic), new Rebalance());
        try {
            while (!stopping) {
                long timeout = open.nanosUntilDue(System.nanoTime(), IDLE_POLL_NANOS);
                if (writer.busy()) {
                    timeout = Math.min(timeout, IN_FLIGHT_POLL_NANOS);
                }
                pollInto(timeout);
                reap(0);
                if (!writer.busy() && open.isReady(System.nanoTime())) {
                    writer.submit(open.drain());
                }
                backpressure();
                committer.retryFailed();
                closeIdleFiles();
            }
            // in order: the batch in flight, then the one collected since
            if (!reap(stopDeadlineNanos - System.nanoTime())) {
                writer.abandon();
                throw new ShutdownExpired();
            }
            if (!open.isEmpty()) {
                log.info("stopping: writing the {} records in hand", open.size());
                processDecoded(open.drain());
            }
            committer.commitSync(consumer.assignment());
            log.info("stopped; every record read was stored and committed");
            return EXIT_OK;
        } catch (ShutdownExpired e) {
            log.error("stopped after --shutdown-timeout {} with a batch still failing to write; its records were "
                    + "not committed and will be read again on restart", Durations.format(shutdownTimeout));
            return EXIT_UNCOMMITTED;
        } catch (StoreException e) {
            log.error("cannot go on: {}", e.getMessage());
            return EXIT_FATAL;
        } finally {
            writer.close();
        }
    }

    /** Settles the batch in flight once written (its offsets are committed); false while it is still written. */
    private boolean reap(long waitNanos) throws StoreException {
        return writer.settle(waitNanos, committer::commitAsync);
    }

    /** While a whole batch waits for the writer, fetch nothing more (but keep polling). */
    private void backpressure() {
        boolean full = open.isFull();
        if (full && !pausedForBackpressure) {
            consumer.pause(consumer.assignment());
            pausedForBackpressure = true;
        } else if (!full && pausedForBackpressure) {
            Set<TopicPartition> paused = consumer.paused();
            if (!paused.isEmpty()) {
                consumer.resume(paused);
            }
            pausedForBackpressure = false;
        }
    }

    private void pollInto(long timeoutNanos) throws StoreException.Fatal {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofNanos(Math.max(timeoutNanos, 1_000_000)));
        } catch (WakeupException e) {
            return; // requestStop(); the loop looks at the flag
        }
        if (fatalInListener != null) {
            throw fatalInListener;
        }
        if (metrics.notReadyReason() != null && inHand == null && !writer.failing()) {
            metrics.ready();
        }
        open.addAll(records, System.nanoTime());
        for (TopicPartition tp : records.partitions()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                metrics.lag(tp, lag.getAsLong());
            }
        }
    }

    /** Writes a batch on this thread, retrying while polling, and commits it. */
    private void processDecoded(DecodedBatch batch) throws ShutdownExpired, StoreException {
        inHand = batch;
        try {
            writeWithRetry(inHand);
            if (!inHand.isEmpty()) {
                committer.commitAsync(inHand);
            }
        } finally {
            inHand = null;
            Set<TopicPartition> paused = consumer.paused();
            if (!paused.isEmpty()) {
                consumer.resume(paused);
            }
            pausedForBackpressure = false;
        }
    }

    /** Retries until written; throws only what retrying cannot fix, or when the shutdown deadline passes. */
    private void writeWithRetry(DecodedBatch batch) throws ShutdownExpired, StoreException {
        int attempt = 0;
        while (true) {
            try {
                writer.writeOnce(batch);
                if (attempt > 0) {
                    log.info("write succeeded after {} retries", attempt);
                    metrics.ready();
                }
                return;
            } catch (StoreException.Retriable | DeadLetters.PublishException e) {
                attempt++;
                metrics.retried();
                metrics.notReady("writes failing: " + e.getMessage());
                Duration delay = backoff.delay(attempt);
                log.warn("attempt {} to store a batch of {} records failed, retrying in {} ms: {}",
                        attempt, batch.records(), delay.toMillis(), e.getMessage());
                waitPolling(delay);
                if (batch.isEmpty()) {
                    log.info("every partition of the failing batch was revoked; the new owner reads it again");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShutdownExpired();
            }
        }
    }

    /**
     * Waits out a retry delay while staying in the group: every partition is paused and the loop
     * keeps polling, which also runs rebalance callbacks.
     */
    private void waitPolling(Duration delay) throws ShutdownExpired {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + delay.toNanos();
        while (true) {
            long now = System.nanoTime();
            if (stopping && now - stopDeadlineNanos > 0) {
                throw new ShutdownExpired();
            }
            long remaining = deadline - now;
            if (stopping) {
                remaining = Math.min(remaining, stopDeadlineNanos - now);
            }
            if (remaining <= 0) {
                return;
            }
            try {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofNanos(remaining));
                rewind(records);
            } catch (WakeupException e) {
                // a stop request: keep retrying until the shutdown deadline
            }
        }
    }

    /** Paused partitions return nothing; should records arrive anyway, read them again later. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
            consumer.pause(List.of(tp));
        }
    }

    private void closeIdleFiles() {
        long now = System.nanoTime();
        if (now - lastIdleCheckNanos > Duration.ofSeconds(10).toNanos()) {
            lastIdleCheckNanos = now;
            int closed = store.closeIdle(idleClose);
            if (closed > 0) {
                log.debug("closed {} idle day databases", closed);
            }
        }
    }

    /** The shutdown deadline passed while a batch was still failing. */
    private static final class ShutdownExpired extends Exception {
        private static final long serialVersionUID = 1L;

        ShutdownExpired() {
            super(null, null, false, false);
        }
    }

    /** Hands partitions over cleanly: what is in hand for a revoked partition is written and committed first. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            log.info("partitions revoked: {}", partitions);
            if (inHand != null) {
                // a write is failing: give the batch in hand up for these partitions; their new owner reads it again
                inHand.dropPartitions(partitions);
                committer.commitSync(partitions);
                return;
            }
            // the batch in flight first: a later record of a partition is never stored before an earlier one
            if (writer.busy() && !Collections.disjoint(writer.partitionsInFlight(), partitions)) {
                boolean settled;
                try {
                    settled = reap(REVOCATION_WAIT_NANOS);
                } catch (StoreException e) {
                    fatalInListener = e instanceof StoreException.Fatal f ? f : new StoreException.Fatal(e.getMessage(), e);
                    return;
                }
                if (!settled) {
                    if (partitions.containsAll(writer.partitionsInFlight())) {
                        writer.abandon();
                    }
                    // its later records may not be stored before it: give them up; the new owner reads them again
                    open.take(partitions);
                    log.warn("the batch in flight for {} is still being written; their later records are given up "
                            + "uncommitted and read again by their new owner", partitions);
                    committer.commitSync(partitions);
                    return;
                }
            }
            // then what was collected since: written and committed before the hand-over
            writeForHandOver(open.take(partitions), partitions);
            committer.commitSync(partitions);
        }

        /** Writes a batch of revoked partitions with a few quick retries; false when it could not. */
        private boolean writeForHandOver(DecodedBatch batch, Collection<TopicPartition> partitions) {
            if (batch.isEmpty()) {
                return true;
            }
            for (int attempt = 1; attempt <= REVOCATION_ATTEMPTS; attempt++) {
                try {
                    writer.writeOnce(batch);
                    committer.commitSync(batch, partitions);
                    return true;
                } catch (StoreException.Retriable | DeadLetters.PublishException e) {
                    log.warn("writing {} records of revoked partitions failed (attempt {}): {}", batch.records(),
                            attempt, e.getMessage());
                    sleepQuietly(backoff.delay(attempt));
                } catch (StoreException.Fatal e) {
                    fatalInListener = e;
                    return false;
                } catch (StoreException e) {
                    fatalInListener = new StoreException.Fatal(e.getMessage(), e);
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            log.warn("gave up {} uncommitted records of revoked partitions; their new owner reads them again",
                    batch.records());
            return false;
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("partitions lost: {}; their uncommitted records will be read again by their new owner", partitions);
            if (inHand != null) {
                inHand.dropPartitions(partitions);
            }
            open.take(partitions);
            if (writer.busy() && partitions.containsAll(writer.partitionsInFlight())) {
                writer.abandon();
            }
            committer.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            log.info("partitions assigned: {}", partitions);
            if (inHand != null || pausedForBackpressure) {
                consumer.pause(partitions); // no new records while the batch in hand cannot be written
            }
        }

        private void sleepQuietly(Duration delay) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
