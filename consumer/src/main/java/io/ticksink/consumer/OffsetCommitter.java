package io.ticksink.consumer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit stage: commits the offsets of written batches, asynchronously after each batch and
 * synchronously before partitions are handed over and at stop, and sends them again after an
 * asynchronous commit failed. Only offsets of batches already durable in their day files (and
 * the dead-letter topic) are ever handed to it.
 *
 * <p>Not thread safe: owned by the consumer thread, which is also where the client runs commit
 * callbacks (from poll and commit calls).
 */
final class OffsetCommitter {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);
    private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int WAKEUP_ATTEMPTS = 3;

    private final Consumer<byte[], ByteBuffer> consumer;
    private final ConsumerMetrics metrics;
    private final Faults faults;
    /** Offsets of everything written whose commit was not confirmed synchronously. */
    private final Map<TopicPartition, OffsetAndMetadata> written = new HashMap<>();
    /** An asynchronous commit failed: {@link #retryFailed()} sends {@link #written} again at {@link #retryNanos}. */
    private boolean failed;
    private long retryNanos;

    OffsetCommitter(Consumer<byte[], ByteBuffer> consumer, ConsumerMetrics metrics, Faults faults) {
        this.consumer = consumer;
        this.metrics = metrics;
        this.faults = faults;
    }

    /**
     * Commits a written batch's offsets without waiting for the answer, so the next batch is
     * written meanwhile; commits are sent in order, and a failed one is covered by the next, by
     * {@link #retryFailed()}, or by the synchronous commit before a hand-over and at stop.
     */
    void commitAsync(DecodedBatch batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = written(batch, consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        faults.beforeOffsetCommit();
        int records = batch.records();
        long[] timestamps = batch.recordTimestamps(ConsumerMetrics.LATENCY_SAMPLES_PER_BATCH);
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error == null) {
                metrics.committed(records, timestamps);
            } else {
                failedAt(error);
            }
        });
    }

    /** Commits a batch written for partitions about to be handed over, and waits for the answer. */
    void commitSync(DecodedBatch batch, Collection<TopicPartition> partitions) {
        written(batch, partitions);
        faults.beforeOffsetCommit();
        commitSync(partitions);
        metrics.committed(batch.records(), batch.recordTimestamps(ConsumerMetrics.LATENCY_SAMPLES_PER_BATCH));
    }

    /** Commits synchronously the offsets written for some partitions: before they are handed over, and at stop. */
    void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(written);
        offsets.keySet().retainAll(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(offsets);
                written.keySet().removeAll(partitions);
                return;
            } catch (WakeupException e) {
                if (attempt < WAKEUP_ATTEMPTS) {
                    continue; // a stop request consumed by this call: commit anyway
                }
            } catch (CommitFailedException e) {
                log.warn("offset commit rejected after a rebalance; the stored ticks will be skipped when redelivered: {}",
                        e.getMessage());
            } catch (KafkaException e) {
                log.warn("offset commit failed; redelivered ticks will be skipped: {}", e.toString());
            }
            return;
        }
    }

    /**
     * Sends the written offsets again after a failed asynchronous commit (a rebalance in progress,
     * the broker away). Waiting for the next batch to cover it is not enough: a partition that
     * receives no further records (a drained backlog, a quiet symbol) would stay short of its end
     * offset until the next hand-over or stop, its lag never reaching zero.
     */
    void retryFailed() {
        if (!failed || System.nanoTime() - retryNanos < 0) {
            return;
        }
        failed = false;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(written);
        offsets.keySet().retainAll(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error == null) {
                log.info("offset commit retried successfully for {}", committed.keySet());
            } else {
                failedAt(error);
            }
        });
    }

    /** Records a written batch's offsets of some partitions as to be committed, and returns them. */
    private Map<TopicPartition, OffsetAndMetadata> written(DecodedBatch batch, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = batch.offsets();
        offsets.keySet().retainAll(partitions);
        written.putAll(offsets);
        return offsets;
    }

    /** Partitions lost to another member: their offsets are no longer ours to commit. */
    void forget(Collection<TopicPartition> partitions) {
        written.keySet().removeAll(partitions);
    }

    private void failedAt(Exception error) {
        if (!failed) {
            log.warn("offset commit failed; retried in {} ms, and redelivered ticks are skipped: {}",
                    RETRY_NANOS / 1_000_000, error.toString());
        }
        failed = true;
        retryNanos = System.nanoTime() + RETRY_NANOS;
    }
}
