package io.ticksink.consumer;

import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.Backoff;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop: poll and decode into the open batch ({@link OpenBatch}), hand each due batch
 * to the writer ({@link BatchWriter}), and hand what the writer stored to the committer
 * ({@link OffsetCommitter}). Rebalances are handled by {@link HandOver}, stops by {@link #stop}.
 *
 * <p>Exactly once: each day file stores, with its rows, the next offset it holds per partition;
 * a redelivered record (after a crash between the SQLite and the Kafka commit, a rebalance, a
 * crash between two day files of one batch) is skipped only if its own day file covers its offset.
 *
 * <p>No loss: only the writer writes, batches are written one at a time in the order read, and an
 * offset is committed only once the writer reported its batch stored. After a batch failed for
 * good, or was given up at the shutdown deadline, nothing is written or committed any more.
 *
 * <p>While the writer retries a failed write, this loop keeps polling (the partitions paused once a
 * whole batch waits), so the consumer stays in its group, also while it stops. Not thread safe,
 * except {@link #requestStop()}, which any thread may call.
 */
public final class TickConsumer {

    /** Exit statuses of {@link #run()}, from the one table of every ticksink command ({@link ExitCodes}). */
    public static final int EXIT_OK = ExitCodes.OK;
    public static final int EXIT_FATAL = ExitCodes.FATAL;
    public static final int EXIT_UNCOMMITTED = ExitCodes.UNCOMMITTED;

    private static final Logger log = LoggerFactory.getLogger(TickConsumer.class);
    private static final long IDLE_POLL_NANOS = Duration.ofMillis(200).toNanos();
    /** How often the loop looks whether the batch in flight is written. */
    private static final long IN_FLIGHT_POLL_NANOS = Duration.ofMillis(2).toNanos();
    /** How long the loop waits on the writer, while a whole batch waits for it, before it polls again. */
    private static final long BACKPRESSURE_WAIT_NANOS = Duration.ofMillis(50).toNanos();
    /** How long a rebalance waits for the writer before giving revoked partitions up uncommitted. */
    static final Duration HAND_OVER_WAIT = Duration.ofSeconds(10);
    private static final long IDLE_CHECK_NANOS = Duration.ofSeconds(10).toNanos();
    /** How often the ids of the owned partitions' topics are looked at (one metadata request per topic). */
    private static final long TOPIC_CHECK_NANOS = Duration.ofSeconds(5).toNanos();

    private final Consumer<byte[], ByteBuffer> consumer;
    private final TickStore store;
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final String topic;
    private final Duration shutdownTimeout;
    private final Duration idleClose;
    /** Polled records, decoded as they arrive, until the writer takes them. */
    private final OpenBatch open;
    /** The write stage: stores the batch in flight while this thread polls and decodes the next. */
    private final BatchWriter writer;
    /** The commit stage: offsets of stored batches only. */
    private final OffsetCommitter committer;
    private final HandOver handOver;
    /** Which incarnation of each partition is read: offsets that go back are not taken for stored ones. */
    private final PartitionIncarnations incarnations;

    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    private boolean pausedForBackpressure;
    private long lastIdleCheckNanos = System.nanoTime();
    private long lastTopicCheckNanos = System.nanoTime();

    public TickConsumer(ConsumerConfig config, Consumer<byte[], ByteBuffer> consumer, DeadLetters deadLetters,
                        TickStore store, ConsumerMetrics metrics) {
        this(config, consumer, deadLetters, store, metrics, PartitionIncarnations.TopicIds.UNKNOWN, HAND_OVER_WAIT);
    }

    TickConsumer(ConsumerConfig config, Consumer<byte[], ByteBuffer> consumer, DeadLetters deadLetters,
                 TickStore store, ConsumerMetrics metrics, PartitionIncarnations.TopicIds topicIds, Duration handOverWait) {
        this.consumer = consumer;
        this.store = store;
        this.metrics = metrics;
        Faults faults = Faults.fromSystemProperty();
        this.topic = config.topic;
        this.shutdownTimeout = config.shutdownTimeout;
        this.idleClose = config.idleClose;
        this.incarnations = new PartitionIncarnations(topicIds, metrics);
        this.open = new OpenBatch(new BatchDecoder(), config.batchSize, config.batchBytes, config.linger.toNanos(),
                incarnations);
        this.deadLetters = deadLetters;
        this.writer = new BatchWriter(store, deadLetters, metrics, faults, new Backoff(config.retryInitial, config.retryMax));
        this.committer = new OffsetCommitter(consumer, metrics, faults, incarnations, writer::partitionsInFlight);
        this.handOver = new HandOver(consumer, open, writer, committer, metrics, incarnations, handOverWait.toNanos());
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
        consumer.subscribe(List.of(topic), handOver);
        try {
            while (!stopping) {
                long timeout = open.nanosUntilDue(System.nanoTime(), IDLE_POLL_NANOS);
                if (writer.busy()) {
                    timeout = Math.min(timeout, IN_FLIGHT_POLL_NANOS);
                }
                pollInto(timeout);
                // while a whole batch waits nothing is fetched: wait on the writer itself, so the
                // batch goes the moment the writer is free, not at the end of a poll
                settle(pausedForBackpressure ? BACKPRESSURE_WAIT_NANOS : 0);
                // a batch with dead letters commits its offsets in their transaction: older commits are answered first
                if (!writer.busy() && open.isReady(System.nanoTime()) && (!open.hasRejects() || committer.flushAsync())) {
                    writer.submit(open.drain());
                }
                backpressure();
                committer.retryFailed();
                committer.commitIdle();
                closeIdleFiles();
                recheckTopics();
            }
            return stop();
        } catch (StoreException.Fatal e) {
            log.error("cannot go on: {}. Nothing read after the failed batch was stored or committed; "
                    + "fix the cause and restart, it is read again", e.getMessage());
            return EXIT_FATAL;
        } finally {
            handOver.close(); // the revocation run by KafkaConsumer.close() writes and commits nothing
            writer.close();
        }
    }

    /** Hands the batch in flight, once the writer is done with it, to the committer: its offsets if stored. */
    private void settle(long waitNanos) throws StoreException.Fatal {
        writer.settle(waitNanos).filter(BatchWriter.Settled::stored).ifPresent(s -> committer.commitAsync(s.batch()));
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
        handOver.pauseAssigned(pausedForBackpressure);
    }

    private void pollInto(long timeoutNanos) throws StoreException.Fatal {
        ConsumerRecords<byte[], ByteBuffer> records;
        try {
            records = consumer.poll(Duration.ofNanos(Math.max(timeoutNanos, 1_000_000)));
        } catch (WakeupException e) {
            return; // requestStop(); the loop looks at the flag
        }
        failIfHandOverFailed();
        if (handOver.joined() && !writer.failing() && metrics.notReadyReason() != null) {
            metrics.ready();
        }
        incarnations.polled(records);
        open.addAll(records, System.nanoTime());
        committer.polled(records);
        deadLetters.member(consumer.groupMetadata());
        for (TopicPartition tp : records.partitions()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                metrics.lag(tp, lag.getAsLong());
            }
        }
    }

    private void failIfHandOverFailed() throws StoreException.Fatal {
        if (handOver.fatal() != null) {
            throw handOver.fatal();
        }
    }

    /**
     * Writes the batch in flight and the one collected since, in order, through the writer, then
     * commits synchronously. Meanwhile it polls the paused partitions, so that the consumer stays
     * in its group. When the shutdown deadline passes first, the writer is halted and nothing more
     * is committed: what was not stored is read again on restart.
     */
    private int stop() throws StoreException.Fatal {
        long deadline = stopDeadlineNanos;
        handOver.stopBy(deadline);
        handOver.pauseAssigned(true);
        consumer.pause(consumer.assignment());
        boolean inTime = awaitWriter(deadline);
        if (inTime && !open.isEmpty()) {
            log.info("stopping: writing the {} records in hand", open.size());
            if (open.hasRejects()) {
                committer.flushAsync();
            }
            writer.submit(open.drain());
            inTime = awaitWriter(deadline);
        }
        if (!inTime) {
            writer.halt();
            log.error("stopped after --shutdown-timeout {} with a batch still failing to write; nothing more was "
                    + "committed, and what was not stored is read again on restart", Durations.format(shutdownTimeout));
            return EXIT_UNCOMMITTED;
        }
        if (committer.commitSync(consumer.assignment())) {
            log.info("stopped; every record read was stored and committed");
        } else {
            log.warn("stopped; every record read was stored, but the last offset commit failed: "
                    + "those records are read again on restart and skipped as stored");
        }
        return EXIT_OK;
    }

    /** Waits until the writer is done with the batch in flight, polling meanwhile; false when the deadline passed. */
    private boolean awaitWriter(long deadline) throws StoreException.Fatal {
        while (writer.busy()) {
            writer.settle(0).filter(BatchWriter.Settled::stored).ifPresent(s -> committer.add(s.batch()));
            if (!writer.busy()) {
                break;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            try {
                rewind(consumer.poll(Duration.ofNanos(Math.min(remaining, IN_FLIGHT_POLL_NANOS))));
            } catch (WakeupException e) {
                // a stop request consumed by this poll: the stop is under way
            }
            failIfHandOverFailed();
        }
        return !writer.halted();
    }

    /** Paused partitions return nothing; should records arrive anyway, read them again later. */
    private void rewind(ConsumerRecords<byte[], ByteBuffer> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
            consumer.pause(List.of(tp));
        }
    }

    /** Now and then: a topic created anew while this member kept its partitions is read again from its beginning. */
    private void recheckTopics() {
        long now = System.nanoTime();
        if (now - lastTopicCheckNanos < TOPIC_CHECK_NANOS) {
            return;
        }
        lastTopicCheckNanos = now;
        Set<TopicPartition> recreated = incarnations.recheck(consumer.assignment());
        if (!recreated.isEmpty()) {
            open.take(recreated); // read from the old topic's position: read again from the beginning
            committer.forget(recreated);
            consumer.seekToBeginning(recreated);
        }
    }

    private void closeIdleFiles() {
        long now = System.nanoTime();
        if (now - lastIdleCheckNanos > IDLE_CHECK_NANOS) {
            lastIdleCheckNanos = now;
            int closed = store.closeIdle(idleClose);
            if (closed > 0) {
                log.debug("closed {} idle day databases", closed);
            }
        }
    }
}
