package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.json;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transactional producer upstream (as Kafka Streams, Flink or Connect with exactly-once publish):
 * committed and aborted transactions, each with poison records. The consumer stores exactly the
 * committed ticks, dead-letters exactly the committed poison records, and the group's committed
 * offsets reach the end offsets, past the last transaction marker.
 */
class TransactionalUpstreamIT {

    private static final int PARTITIONS = 2;

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void committedTicksAreStoredCommittedPoisonIsDeadLetteredAbortedIsNeitherAndTheLagReachesZero() throws Exception {
        String topic = kafka.createTopic("txn-upstream", PARTITIONS);
        String group = "g-" + topic;
        String dlq = topic + ".dlq";
        Path dataDir = work.resolve("data");
        List<String> committedRows = new ArrayList<>();
        List<String> committedPoison = new ArrayList<>();
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "upstream-" + topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            Instant t = Instant.parse("2026-01-19T10:00:00Z");
            // committed, aborted, committed, and an aborted one last: the topic ends in an abort marker
            boolean[] commit = {true, false, true, false};
            for (int txn = 0; txn < commit.length; txn++) {
                producer.beginTransaction();
                for (int i = 0; i < 60; i++) {
                    String symbol = i % 2 == 0 ? "EURUSD" : "USDJPY";
                    String ts = t.toString();
                    t = t.plusMillis(7);
                    send(producer, topic, symbol, json(symbol, ts, 1.0 + i / 1000.0, 1.1 + i / 1000.0));
                    if (commit[txn]) {
                        committedRows.add(row(symbol, ts, 1.0 + i / 1000.0, 1.1 + i / 1000.0));
                    }
                    if (i % 25 == 0) {
                        String poison = "not json " + txn + "/" + i;
                        send(producer, topic, symbol, poison);
                        if (commit[txn]) {
                            committedPoison.add(poison);
                        }
                    }
                }
                if (commit[txn]) {
                    producer.commitTransaction();
                } else {
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }
        Map<Integer, Long> end = kafka.endOffsets(topic, PARTITIONS);
        long published = 4 * (60 + 3);
        assertThat(end.values().stream().mapToLong(Long::longValue).sum())
                .as("the end offsets lie past the records: transaction markers").isGreaterThan(published);

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--dlq-topic", dlq, "--http-port", "-1")) {
            await("committed offsets reach the end offsets " + end).atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                return kafka.committedOffsets(group, topic).equals(end);
            });
            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(60))).as(consumer.output()).isZero();
        }
        StoredRows.assertExactlyOnce(StoredRows.of(dataDir), committedRows);
        assertThat(kafka.readCommitted(dlq).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList()).containsExactlyInAnyOrderElementsOf(committedPoison);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
    }
}
