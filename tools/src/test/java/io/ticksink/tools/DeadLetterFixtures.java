package io.ticksink.tools;

import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead letters as the consumer writes them (the original record's key, value and headers, then the
 * six ticksink headers), published in Kafka transactions as the consumer publishes them; and the
 * tests' reader of a topic's records under either isolation level.
 */
final class DeadLetterFixtures {

    /** One rejected record: what the consumer read, and why it rejected it. */
    record Reject(String sourceTopic, int sourcePartition, long sourceOffset, String reason, String key, String value,
                  Map<String, String> ownHeaders, Long deadLetterTime) {

        ProducerRecord<byte[], byte[]> deadLetter(String dlqTopic, int dlqPartition) {
            RecordHeaders headers = new RecordHeaders();
            ownHeaders.forEach((k, v) -> headers.add(k, utf8(v)));
            headers.add(DeadLetter.REASON, utf8(reason));
            headers.add(DeadLetter.DETAIL, utf8("a readable message about " + reason));
            headers.add(DeadLetter.SOURCE_TOPIC, utf8(sourceTopic));
            headers.add(DeadLetter.SOURCE_PARTITION, utf8(Integer.toString(sourcePartition)));
            headers.add(DeadLetter.SOURCE_OFFSET, utf8(Long.toString(sourceOffset)));
            headers.add(DeadLetter.SOURCE_TIMESTAMP, utf8("1768809600000"));
            return new ProducerRecord<>(dlqTopic, dlqPartition, deadLetterTime, key == null ? null : utf8(key), utf8(value),
                    headers);
        }
    }

    private DeadLetterFixtures() {
    }

    static Reject reject(String sourceTopic, int partition, long offset, String reason) {
        return new Reject(sourceTopic, partition, offset, reason, "SYM" + partition + "-" + offset,
                "{\"symbol\":\"SYM\",\"offset\":" + offset + ",\"bad\":\"" + reason + "\"}",
                Map.of("trace-id", "t-" + partition + "-" + offset), null);
    }

    /** Publishes the dead letters, {@code dlqPartition(i)} for the i-th, in one committed (or aborted) transaction. */
    static void publish(KafkaTestCluster kafka, String dlqTopic, List<Reject> rejects, int dlqPartitions, boolean commit) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dead-letters-of-a-test-" + System.nanoTime());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < rejects.size(); i++) {
                producer.send(rejects.get(i).deadLetter(dlqTopic, i % dlqPartitions));
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.flush();
                producer.abortTransaction();
            }
        }
    }

    /** Publishes a record without any ticksink header (not a dead letter of ours). */
    static void publishForeign(KafkaTestCluster kafka, String dlqTopic) {
        kafka.produce(dlqTopic, List.of(Map.entry("FOREIGN", "not a dead letter")));
    }

    /** Every record of every partition of a topic up to its end now, read with the given isolation level. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaTestCluster kafka, String topic, boolean readCommitted) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            CommittedRecords.read(consumer, starts, ends, Duration.ofSeconds(30), records::add);
        }
        return records;
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
