package io.ticksink.consumer;

import java.nio.ByteBuffer;
import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The batch being collected: polled records are decoded as they arrive, so only the small
 * decoded ticks wait for the writer, not the records' buffers. The batch is due when it holds
 * {@code batchSize} records or {@code batchBytes} bytes (by the records' serialized sizes, so that
 * large records cannot fill the heap), or its first record has waited {@code lingerNanos}. Holds no
 * Kafka client and does no I/O.
 *
 * <p>Not thread safe: owned by the consumer thread.
 */
final class OpenBatch {

    private final BatchDecoder decoder;
    private final int batchSize;
    private final long batchBytes;
    private final long lingerNanos;
    private final DecodedBatch.Incarnations incarnations;
    private DecodedBatch batch;
    private long firstAddedNanos;

    OpenBatch(BatchDecoder decoder, int batchSize, long lingerNanos) {
        this(decoder, batchSize, Long.MAX_VALUE, lingerNanos, DecodedBatch.Incarnations.NONE);
    }

    OpenBatch(BatchDecoder decoder, int batchSize, long batchBytes, long lingerNanos) {
        this(decoder, batchSize, batchBytes, lingerNanos, DecodedBatch.Incarnations.NONE);
    }

    OpenBatch(BatchDecoder decoder, int batchSize, long batchBytes, long lingerNanos,
              DecodedBatch.Incarnations incarnations) {
        if (batchSize < 1 || batchBytes < 1) {
            throw new IllegalArgumentException("batch size and bytes must be at least 1");
        }
        this.decoder = decoder;
        this.batchSize = batchSize;
        this.batchBytes = batchBytes;
        this.lingerNanos = lingerNanos;
        this.incarnations = incarnations;
        this.batch = new DecodedBatch(batchSize, incarnations);
    }

    void addAll(Iterable<ConsumerRecord<byte[], ByteBuffer>> polled, long nowNanos) {
        for (ConsumerRecord<byte[], ByteBuffer> record : polled) {
            if (batch.records() == 0) {
                firstAddedNanos = nowNanos;
            }
            decoder.decodeInto(batch, record);
        }
    }

    /** Whether the batch should be written now. */
    boolean isReady(long nowNanos) {
        return isFull() || (!isEmpty() && nowNanos - firstAddedNanos >= lingerNanos);
    }

    /** Whether it holds a whole batch: no more should be fetched until it is handed to the writer. */
    boolean isFull() {
        return batch.records() >= batchSize || batch.bytes() >= batchBytes;
    }

    /** How long a poll may block before the batch is due, in nanoseconds. */
    long nanosUntilDue(long nowNanos, long idleNanos) {
        if (batch.records() == 0) {
            return idleNanos;
        }
        return Math.max(0, firstAddedNanos + lingerNanos - nowNanos);
    }

    /** Takes the batch, leaving an empty one. */
    DecodedBatch drain() {
        DecodedBatch taken = batch;
        batch = new DecodedBatch(batchSize, incarnations);
        return taken;
    }

    /** Takes what the batch holds of some partitions, keeping the others'. */
    DecodedBatch take(Collection<TopicPartition> partitions) {
        return batch.take(partitions);
    }

    /** Whether the batch holds rejected records: its dead letters go in a transaction with its offsets. */
    boolean hasRejects() {
        return !batch.rejected().isEmpty();
    }

    int size() {
        return batch.records();
    }

    boolean isEmpty() {
        return batch.records() == 0;
    }
}
