package io.ticksink.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Collects polled records into a batch until it holds {@code batchSize} records or its first
 * record has waited {@code lingerNanos}. Holds no Kafka client and does no I/O.
 *
 * <p>Not thread safe: owned by the consumer thread.
 */
public final class RecordBuffer<K, V> {

    private final int batchSize;
    private final long lingerNanos;
    private List<ConsumerRecord<K, V>> records = new ArrayList<>();
    private long firstAddedNanos;

    public RecordBuffer(int batchSize, long lingerNanos) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        this.batchSize = batchSize;
        this.lingerNanos = lingerNanos;
    }

    public void addAll(Iterable<ConsumerRecord<K, V>> polled, long nowNanos) {
        for (ConsumerRecord<K, V> record : polled) {
            if (records.isEmpty()) {
                firstAddedNanos = nowNanos;
            }
            records.add(record);
        }
    }

    /** Whether the batch should be written now. */
    public boolean isReady(long nowNanos) {
        return records.size() >= batchSize || (!records.isEmpty() && nowNanos - firstAddedNanos >= lingerNanos);
    }

    /** How long a poll may block before the buffered batch is due, in nanoseconds. */
    public long nanosUntilDue(long nowNanos, long idleNanos) {
        if (records.isEmpty()) {
            return idleNanos;
        }
        return Math.max(0, firstAddedNanos + lingerNanos - nowNanos);
    }

    /** Takes the buffered records, leaving the buffer empty. */
    public List<ConsumerRecord<K, V>> drain() {
        List<ConsumerRecord<K, V>> batch = records;
        records = new ArrayList<>();
        return batch;
    }

    /** Takes the buffered records of some partitions, keeping the others' in order. */
    public List<ConsumerRecord<K, V>> drain(Collection<TopicPartition> partitions) {
        List<ConsumerRecord<K, V>> taken = new ArrayList<>();
        List<ConsumerRecord<K, V>> kept = new ArrayList<>();
        for (ConsumerRecord<K, V> record : records) {
            (partitions.contains(new TopicPartition(record.topic(), record.partition())) ? taken : kept).add(record);
        }
        records = kept;
        return taken;
    }

    public int size() {
        return records.size();
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }
}
