package io.ticksink.consumer;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickStore;
import java.nio.ByteBuffer;
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
 * <p>A failed write is retried by the writer thread with exponential backoff; meanwhile this loop
 * keeps polling (the partitions paused once a whole batch waits), so the consumer stays in its
 * group, also while it stops. Not thread safe, except {@link #requestStop()}, which any thread may call.
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
    /** How long the loop waits on the writer, while a whole batch waits for it, before it polls again. */
    private static final long BACKPRESSURE_WAIT_NANOS = Duration.ofMillis(50).toNanos();
    /** How long a rebalance waits for the batch in flight before giving its partitions up uncommitted. */
    private static final long REVOCATION_WAIT_NANOS = Duration.ofSeconds(10).toNanos();

    private final Consumer<byte[], ByteBuffer> consumer;
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

    public TickConsumer(ConsumerConfig config, Consumer<byte[], ByteBuffer> consumer, DeadLetters deadLetters,
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
                // while a whole batch waits nothing is fetched: wait on the writer itself, so the
                // batch goes the moment the writer is free, not at the end of a poll
                reap(pausedForBackpressure ? BACKPRESSURE_WAIT_NANOS : 0);
                submitIfReady();
                backpressure();
                committer.retryFailed();
                closeIdleFiles();
            }
            // in order: the batch in flight, then the one collected since, both by the writer thread
            consumer.pause(consumer.assignment());
            awaitWriter();
            if (!open.isEmpty()) {
                log.info("stopping: writing the {} records in hand", open.size());
                writer.submit(open.drain());
                awaitWriter();
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

    private void submitIfReady() {
        if (!writer.busy() && open.isReady(System.nanoTime())) {
            writer.submit(open.drain());
        }
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
        ConsumerRecords<byte[], ByteBuffer> records;
        try {
            records = consumer.poll(Duration.ofNanos(Math.max(timeoutNanos, 1_000_000)));
        } catch (WakeupException e) {
            return; // requestStop(); the loop looks at the flag
        }
        if (fatalInListener != null) {
            throw fatalInListener;
        }
        if (metrics.notReadyReason() != null && !writer.failing()) {
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

    /**
     * At stop: waits until the writer has stored and settled its batch, retrying as long as it
     * takes, while polling the paused partitions so that the consumer stays in its group. When the
     * shutdown deadline passes first, the batch is given up uncommitted.
     */
    private void awaitWriter() throws ShutdownExpired, StoreException {
        while (!reap(0)) {
            long remaining = stopDeadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                writer.abandon();
                throw new ShutdownExpired();
            }
            try {
                rewind(consumer.poll(Duration.ofNanos(Math.min(remaining, IN_FLIGHT_POLL_NANOS))));
            } catch (WakeupException e) {
                // a stop request consumed by this poll: the stop is under way
            }
            if (fatalInListener != null) {
                throw fatalInListener;
            }
        }
    }

    /** Paused partitions return nothing; should records arrive anyway, read them again later. */
    private void rewind(ConsumerRecords<byte[], ByteBuffer> records) {
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
            if (stopping || pausedForBackpressure) {
                consumer.pause(partitions); // no new records while a whole batch waits, nor once stopping
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
