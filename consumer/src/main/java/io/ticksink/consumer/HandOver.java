package io.ticksink.consumer;

import io.ticksink.schema.StoreException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's rebalance listener: hands revoked partitions over cleanly. What is in hand for a
 * revoked partition is written by the writer (never here) and committed before the partition is
 * released; what cannot be written within the wait is given up uncommitted, and its new owner
 * reads it again. Lost partitions are given up at once.
 *
 * <p>Once the loop has ended ({@link #close()}), a batch failed for good, or the writer was
 * halted at the shutdown deadline, a revocation writes and commits nothing: nothing read after a
 * batch that was not stored may be stored or committed before it. That covers the revocation that
 * {@code KafkaConsumer.close()} runs after the loop returned.
 *
 * <p>Not thread safe: called by the Kafka client on the consumer thread, from poll and close.
 */
final class HandOver implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(HandOver.class);

    private final Consumer<byte[], ByteBuffer> consumer;
    private final OpenBatch open;
    private final BatchWriter writer;
    private final OffsetCommitter committer;
    private final ConsumerMetrics metrics;
    private final long waitNanos;
    private final PartitionIncarnations incarnations;
    /** No later than this a hand-over gives up: the stop deadline, once stopping. */
    private long deadlineNanos = Long.MAX_VALUE;
    /** New partitions start paused: while a whole batch waits for the writer, and once stopping. */
    private boolean pauseAssigned;
    private boolean joined;
    private boolean closed;
    private StoreException.Fatal fatal;

    HandOver(Consumer<byte[], ByteBuffer> consumer, OpenBatch open, BatchWriter writer, OffsetCommitter committer,
             ConsumerMetrics metrics, PartitionIncarnations incarnations, long waitNanos) {
        this.incarnations = incarnations;
        this.consumer = consumer;
        this.open = open;
        this.writer = writer;
        this.committer = committer;
        this.metrics = metrics;
        this.waitNanos = waitNanos;
    }

    /** Bounds every later hand-over by the stop deadline. */
    void stopBy(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    void pauseAssigned(boolean pause) {
        this.pauseAssigned = pause;
    }

    /** Whether the member has joined its group: a rebalance completed. */
    boolean joined() {
        return joined;
    }

    /** A batch that failed for good while partitions were handed over; null when none did. */
    StoreException.Fatal fatal() {
        return fatal;
    }

    /** The loop has ended: from now on a revocation writes and commits nothing. */
    void close() {
        closed = true;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        metrics.forgetLag(partitions);
        if (closed || writer.halted() || fatal != null) {
            log.info("partitions revoked: {}; the consumer has stopped, nothing more is written or committed", partitions);
            giveUp(partitions);
            return;
        }
        log.info("partitions revoked: {}", partitions);
        long deadline = Math.min(System.nanoTime() + waitNanos, deadlineNanos);
        // the batch in flight first: a later record of a partition is never stored before an earlier one
        boolean inFlightTouches = !Collections.disjoint(writer.partitionsInFlight(), partitions);
        DecodedBatch batch = open.take(partitions);
        if ((inFlightTouches || !batch.isEmpty()) && !awaitWriter(deadline)) {
            if (writer.busy() && partitions.containsAll(writer.partitionsInFlight())) {
                writer.abandon();
            }
            log.warn("the batch in flight is still being written; {} records of {} read after it are given up "
                    + "uncommitted and read again by their new owner", batch.records(), partitions);
            commitAndForget(partitions);
            return;
        }
        if (!batch.isEmpty()) {
            if (!batch.rejected().isEmpty()) {
                committer.flushAsync(); // its dead-letter transaction commits its offsets: older commits first
            }
            writer.submit(batch);
            if (!awaitWriter(deadline)) {
                writer.abandon(); // only revoked partitions in it: nothing of the others is lost
                log.warn("could not write the {} records in hand of revoked partitions {} in time; they are given up "
                        + "uncommitted and read again by their new owner", batch.records(), partitions);
            }
        }
        commitAndForget(partitions);
    }

    /**
     * Waits until the writer has nothing in flight, at most until {@code deadline}; a stored batch
     * goes to the committer. False when time ran out or the writer failed for good.
     */
    private boolean awaitWriter(long deadline) {
        while (writer.busy()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            Optional<BatchWriter.Settled> settled;
            try {
                settled = writer.settle(remaining);
            } catch (StoreException.Fatal e) {
                fatal = e;
                return false;
            }
            settled.filter(BatchWriter.Settled::stored).ifPresent(s -> committer.add(s.batch()));
        }
        return true;
    }

    private void commitAndForget(Collection<TopicPartition> partitions) {
        if (fatal == null && !writer.halted()) {
            committer.commitSync(partitions);
        }
        committer.forget(partitions);
        incarnations.released(partitions);
    }

    private void giveUp(Collection<TopicPartition> partitions) {
        open.take(partitions);
        committer.forget(partitions);
        incarnations.released(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        log.warn("partitions lost: {}; their uncommitted records will be read again by their new owner", partitions);
        metrics.forgetLag(partitions);
        giveUp(partitions);
        if (writer.busy() && partitions.containsAll(writer.partitionsInFlight())) {
            writer.abandon();
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        joined = true; // called after every completed rebalance, also with no partitions
        if (partitions.isEmpty()) {
            return;
        }
        log.info("partitions assigned: {}", partitions);
        Set<TopicPartition> stale = incarnations.assigned(partitions, consumer.committed(new HashSet<>(partitions)));
        if (!stale.isEmpty()) {
            committer.forget(stale);
            consumer.seekToBeginning(stale);
        }
        if (pauseAssigned) {
            consumer.pause(partitions);
        }
    }
}
