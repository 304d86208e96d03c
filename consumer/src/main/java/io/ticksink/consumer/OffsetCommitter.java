package io.ticksink.consumer;

import io.ticksink.schema.Backoff;
import io.ticksink.schema.Retry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit stage: commits the offsets of batches the writer stored, asynchronously after each
 * batch, synchronously before partitions are handed over and at stop, and again after an
 * asynchronous commit failed ({@link #ASYNC_RETRY}, driven by the loop through {@link #retryFailed()}).
 * Only batches the writer reported stored are ever handed to it, so it commits nothing that is not
 * durable.
 *
 * <p>Once every record the client returned for a partition is stored, it commits the client's
 * position there ({@link #polled}: the next offset it fetches), not the last record's offset + 1:
 * behind a transactional producer that position lies past the transaction markers and the records
 * of aborted transactions, which a read_committed consumer never returns, so the group's lag
 * reaches zero. A position reached without records is committed by {@link #commitIdle()}.
 *
 * <p>Not thread safe: owned by the consumer thread, which is also where the client runs commit
 * callbacks (from poll and commit calls).
 */
final class OffsetCommitter {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);
    /** A failed asynchronous commit is sent again, every written offset the member still owns, for as long as it fails. */
    static final Retry ASYNC_RETRY = Retry.forever("committing offsets", e -> e instanceof KafkaException,
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10)));
    /** A synchronous commit interrupted by a stop request ({@code wakeup()}) is sent again, a few times. */
    private static final Retry SYNC_RETRY = Retry.upTo(3, "committing offsets synchronously",
            e -> e instanceof WakeupException, new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)));

    /** Longest a synchronous commit waits for the broker (Kafka's default is a minute): a hand-over and a stop stay bounded. */
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<byte[], ByteBuffer> consumer;
    private final ConsumerMetrics metrics;
    private final Faults faults;
    private final DecodedBatch.Incarnations incarnations;
    private final Supplier<Set<TopicPartition>> inFlight;
    /** The client's position per partition after the last poll whose records the loop took: past markers and aborted records. */
    private final Map<TopicPartition, Long> fetched = new HashMap<>();
    /** Per partition: the offset after the last record the loop took from the client. */
    private final Map<TopicPartition, Long> received = new HashMap<>();
    /** Per partition: the offset after the last record stored (or made a durable dead letter). */
    private final Map<TopicPartition, Long> stored = new HashMap<>();
    /** Per partition: the highest offset sent in a commit. */
    private final Map<TopicPartition, Long> sent = new HashMap<>();
    private long lastIdleCommitNanos = System.nanoTime();
    /** Offsets of stored batches whose commit was not confirmed synchronously. */
    private final Map<TopicPartition, OffsetAndMetadata> written = new HashMap<>();
    /** Stored batches to count in the metrics once a synchronous commit covers them. */
    private final List<DecodedBatch> uncounted = new ArrayList<>();
    private Retry.Attempts asyncAttempts = ASYNC_RETRY.attempts();
    /** When a failed asynchronous commit is sent again; 0 when none failed. */
    private long retryAtNanos;
    private boolean retryDue;

    /** How often {@link #commitIdle()} looks for positions reached without records. */
    static final long IDLE_COMMIT_NANOS = 1_000_000_000L;

    /** Longest {@link #flushAsync()} waits for the answers to the asynchronous commits in flight. */
    static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

    /**
     * @param inFlight the partitions of the batch the writer has: commits sent on their own
     *     ({@link #commitIdle}, {@link #retryFailed}) leave them out, so that nothing older lands
     *     after the offsets that batch's dead-letter transaction commits
     */
    OffsetCommitter(Consumer<byte[], ByteBuffer> consumer, ConsumerMetrics metrics, Faults faults,
                    DecodedBatch.Incarnations incarnations, Supplier<Set<TopicPartition>> inFlight) {
        this.consumer = consumer;
        this.metrics = metrics;
        this.faults = faults;
        this.incarnations = incarnations;
        this.inFlight = inFlight;
    }

    /**
     * Waits, bounded, until every asynchronous commit sent so far is answered: before a batch with
     * dead letters goes to the writer, whose transaction commits the batch's offsets, so that no
     * older commit of this member lands after them. False when the answers did not come in time.
     */
    boolean flushAsync() {
        try {
            consumer.commitSync(Map.of(), FLUSH_TIMEOUT); // commits nothing; returns once earlier commits are answered
            return true;
        } catch (KafkaException e) {
            log.debug("waiting for asynchronous commits: {}", e.toString());
            return false;
        }
    }

    /**
     * Notes what a poll returned, once the loop took all of its records into the open batch: the
     * last record per partition, and the client's next offset per partition, which may lie past
     * records it did not return (transaction markers, aborted transactions).
     */
    void polled(ConsumerRecords<?, ?> records) {
        for (TopicPartition tp : records.partitions()) {
            List<? extends ConsumerRecord<?, ?>> of = records.records(tp);
            received.merge(tp, of.get(of.size() - 1).offset() + 1, Math::max);
        }
        records.nextOffsets().forEach((tp, next) -> fetched.merge(tp, next.offset(), Math::max));
    }

    /**
     * Commits, at most once a second, the positions the client reached without returning records
     * (a transaction's commit marker after the last stored record, an aborted transaction) where
     * every record it returned is stored; nothing when there are none.
     */
    void commitIdle() {
        long now = System.nanoTime();
        if (now - lastIdleCommitNanos < IDLE_COMMIT_NANOS) {
            return;
        }
        lastIdleCommitNanos = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = ownedAndIdle();
        if (offsets.keySet().stream().noneMatch(tp -> offsets.get(tp).offset() > sent.getOrDefault(tp, -1L))) {
            return;
        }
        send(offsets, null);
    }

    /** Records a stored batch's offsets, to be committed by the next synchronous commit of their partitions. */
    void add(DecodedBatch stored) {
        record(stored);
        uncounted.add(stored);
    }

    /**
     * Keeps the offsets of the partitions the member owns now: a partition handed over while its
     * batch was being written is not ours to commit, also should it come back later.
     */
    private void record(DecodedBatch batch) {
        Set<TopicPartition> owned = consumer.assignment();
        batch.offsets().forEach((tp, offset) -> {
            if (owned.contains(tp)) {
                written.put(tp, offset);
                stored.merge(tp, offset.offset(), Math::max);
            }
        });
    }

    /**
     * Records a stored batch's offsets and commits them, and every other written offset the member
     * owns, without waiting for the answer, so the next batch is written meanwhile. Commits are sent
     * in order; a failed one is covered by the next, by {@link #retryFailed()}, or by a synchronous commit.
     */
    void commitAsync(DecodedBatch stored) {
        record(stored);
        Map<TopicPartition, OffsetAndMetadata> offsets = owned(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        faults.beforeOffsetCommit();
        send(offsets, stored);
    }

    /** Sends offsets without waiting; a stored batch they cover is counted in the metrics once they are committed. */
    private void send(Map<TopicPartition, OffsetAndMetadata> offsets, DecodedBatch covered) {
        int records = covered == null ? 0 : covered.records();
        long[] timestamps = covered == null ? null : covered.recordTimestamps(ConsumerMetrics.LATENCY_SAMPLES_PER_BATCH);
        offsets.forEach((tp, offset) -> sent.merge(tp, offset.offset(), Math::max));
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error == null) {
                asyncAttempts.succeeded();
                if (covered != null) {
                    metrics.committed(records, timestamps);
                }
            } else {
                failedAsync(error);
            }
        });
    }

    /**
     * Commits the written offsets of some partitions and waits for the answer: before they are
     * handed over, and at stop. Returns whether they are committed (true when there was nothing to
     * commit); a failure is logged, and the stored ticks are skipped when read again.
     */
    boolean commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = owned(partitions);
        if (offsets.isEmpty()) {
            return true;
        }
        faults.beforeOffsetCommit();
        offsets.forEach((tp, offset) -> sent.merge(tp, offset.offset(), Math::max));
        try {
            SYNC_RETRY.run(() -> {
                consumer.commitSync(offsets, SYNC_TIMEOUT);
                return null;
            });
        } catch (KafkaException e) {
            log.warn("committing offsets of {} failed; their stored ticks are read again and skipped: {}",
                    offsets.keySet(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        written.keySet().removeAll(offsets.keySet());
        uncounted.removeIf(batch -> {
            if (offsets.keySet().containsAll(batch.partitions())) {
                metrics.committed(batch.records(), batch.recordTimestamps(ConsumerMetrics.LATENCY_SAMPLES_PER_BATCH));
                return true;
            }
            return false;
        });
        return true;
    }

    /**
     * Sends the written offsets again once a failed asynchronous commit is due for its retry (a
     * rebalance in progress, the broker away). Waiting for the next batch to cover it is not enough:
     * a partition that receives no further records (a drained backlog, a quiet symbol) would stay
     * short of its end offset, its lag never reaching zero.
     */
    void retryFailed() {
        if (!retryDue || System.nanoTime() - retryAtNanos < 0) {
            return;
        }
        retryDue = false;
        Map<TopicPartition, OffsetAndMetadata> offsets = ownedAndIdle();
        if (offsets.isEmpty()) {
            return;
        }
        send(offsets, null);
    }

    /** Partitions handed over or lost: their offsets are no longer ours to commit, whether or not the last commit went through. */
    void forget(Collection<TopicPartition> partitions) {
        for (Map<TopicPartition, ?> progress : List.of(written, fetched, received, stored, sent)) {
            progress.keySet().removeAll(partitions);
        }
        uncounted.removeIf(batch -> partitions.containsAll(batch.partitions()));
    }

    /** The offsets to commit of the partitions the member owns, but those of the batch in the writer's hands. */
    private Map<TopicPartition, OffsetAndMetadata> ownedAndIdle() {
        Set<TopicPartition> partitions = new HashSet<>(consumer.assignment());
        partitions.removeAll(inFlight.get());
        return owned(partitions);
    }

    /**
     * The offsets to commit for these partitions: the written ones, or the client's position where
     * it lies beyond them and every record returned there is stored. A record the loop took and gave
     * up uncommitted keeps its partition's position from being committed until it is forgotten.
     */
    private Map<TopicPartition, OffsetAndMetadata> owned(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(written);
        offsets.keySet().retainAll(partitions);
        for (TopicPartition tp : partitions) {
            Long position = fetched.get(tp);
            if (position == null || stored.getOrDefault(tp, -1L) < received.getOrDefault(tp, -1L)) {
                continue;
            }
            OffsetAndMetadata w = offsets.get(tp);
            if ((w == null && position > sent.getOrDefault(tp, -1L)) || (w != null && position > w.offset())) {
                offsets.put(tp, new OffsetAndMetadata(position, PartitionIncarnations.metadataOf(incarnations.of(tp))));
            }
        }
        return offsets;
    }

    private void failedAsync(Exception error) {
        try {
            Duration delay = asyncAttempts.failed(error);
            retryAtNanos = System.nanoTime() + delay.toNanos();
            retryDue = true;
        } catch (Exception notRetriable) {
            // not a Kafka error: a bug; the next commit or hand-over still covers the offsets
            log.error("offset commit failed: {}", notRetriable.toString());
            asyncAttempts = ASYNC_RETRY.attempts();
        }
    }
}
