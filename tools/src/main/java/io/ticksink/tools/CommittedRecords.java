package io.ticksink.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads the partitions of a topic once, from given offsets up to their end as it was when the
 * read began, with a consumer that has no group and reads {@code read_committed}: so the end is
 * each partition's last stable offset, and records of open or aborted transactions are never
 * handed out (the caller takes the ends from {@code endOffsets} of such a consumer). Owns
 * nothing: the caller's consumer is reassigned and left open.
 */
final class CommittedRecords {

    private CommittedRecords() {
    }

    /**
     * Hands every record from {@code starts} (each partition's first offset to read) up to
     * {@code ends} (excluded) to {@code handler}, in offset order within a partition.
     *
     * @param timeout how long the read may go without receiving anything while records are still due
     * @throws TimeoutException when nothing arrived for {@code timeout} although records are due
     */
    static void read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> starts,
                     Map<TopicPartition, Long> ends, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Map<TopicPartition, Long> due = new HashMap<>();
        starts.forEach((tp, start) -> {
            if (start < ends.getOrDefault(tp, 0L)) {
                due.put(tp, start);
            }
        });
        consumer.assign(due.keySet());
        due.forEach(consumer::seek);
        long quietSince = System.nanoTime();
        while (!due.isEmpty()) {
            boolean progress = false;
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                progress = true;
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (due.containsKey(tp) && record.offset() < ends.get(tp)) {
                    handler.accept(record);
                }
            }
            List<TopicPartition> done = new ArrayList<>();
            for (TopicPartition tp : due.keySet()) {
                // a transaction's marker or an aborted transaction's records move the position past what poll returns
                long position = consumer.position(tp, timeout);
                if (position > due.get(tp)) {
                    progress = true;
                    due.put(tp, position);
                }
                if (position >= ends.get(tp)) {
                    done.add(tp);
                }
            }
            if (!done.isEmpty()) {
                done.forEach(due::remove);
                consumer.pause(done);
            }
            if (progress) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > timeout.toNanos()) {
                throw new TimeoutException("no records arrived for " + timeout.toSeconds() + " s while " + due.size()
                        + " partition(s) still had some to read: " + due.keySet());
            }
        }
    }
}
