package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets that go backwards: a topic deleted and created again restarts at offset 0 under a new
 * topic id. Its records are not taken for the old topic's, whose positions the day files hold.
 */
class TopicRecreatedIT {

    private static final int PARTITIONS = 2;
    private static final int TICKS = 50_000;

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void theTicksOfATopicDeletedAndCreatedAgainAreStoredBesideTheOldOnesEachOnce() throws Exception {
        String topic = kafka.createTopic("recreated", PARTITIONS);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        String[] args = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--group-id", group,
            "--data-dir", dataDir.toString(), "--http-port", "-1"};
        List<String> expected = produce(topic, 0, 1.0);
        drain(args, group, topic);
        assertThat(StoredRows.of(dataDir)).hasSize(TICKS);

        kafka.recreateTopic(topic, PARTITIONS);
        // the same day, the same symbols and offsets from 0 again: only the topic id tells them apart
        expected.addAll(produce(topic, 5, 2.0));
        String output = drain(args, group, topic);

        StoredRows.assertExactlyOnce(StoredRows.of(dataDir), expected);
        assertThat(output).contains("another incarnation of the partition");
    }

    @Test
    void aTopicCreatedAgainWhileTheConsumerWasInTheGroupIsReadFromItsBeginningNotFromTheOldTopicsOffset()
            throws Exception {
        String topic = kafka.createTopic("recreated-live", PARTITIONS);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        List<String> expected = produce(topic, 0, 1.0);
        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--http-port", "0", "--http-address", "127.0.0.1",
                // the broker creates topics on demand: the consumer's own metadata requests would create
                // the deleted topic again, with the broker's default partition count, before the test does
                "--kafka-property", "allow.auto.create.topics=false")) {
            int port = consumer.httpPort();
            Map<Integer, Long> oldEnd = kafka.endOffsets(topic, PARTITIONS);
            await("every record committed").atMost(Duration.ofSeconds(120))
                    .until(() -> oldEnd.equals(kafka.committedOffsets(group, topic)));

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
            await("the deleted topic's partitions revoked").atMost(Duration.ofSeconds(60))
                    .until(() -> kafka.members(group).values().stream().allMatch(Set::isEmpty));
            // frozen (a long GC pause, a stuck disk) while the topic is created again and filled: when it
            // is assigned the new topic, the group's offsets of the old one are valid offsets there
            consumer.freeze();
            try {
                EmbeddedKafka.createTopic(kafka.bootstrapServers(), topic, PARTITIONS);
                expected.addAll(produce(topic, 5, 2.0));
            } finally {
                consumer.resume();
            }
            // the fault happened: the old topic's committed offsets are offsets of the new one, at its end
            assertThat(kafka.committedOffsets(group, topic)).isEqualTo(oldEnd);
            assertThat(kafka.endOffsets(topic, PARTITIONS)).isEqualTo(oldEnd);

            // one more tick each, so that the consumer has something new to commit whatever it skipped
            expected.addAll(produceMore(topic));
            Map<Integer, Long> newEnd = kafka.endOffsets(topic, PARTITIONS);
            await("every record of the new topic committed").atMost(Duration.ofSeconds(120))
                    .until(() -> newEnd.equals(kafka.committedOffsets(group, topic)));
            double resets = Metrics.value(port, "ticksink_offsets_reset_total");
            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output()).isZero();

            StoredRows.assertExactlyOnce(StoredRows.of(dataDir), expected);
            assertThat(resets).as("ticksink_offsets_reset_total").isNotNaN().isPositive();
            assertThat(consumer.output()).contains("the topic was deleted and created again");
        }
    }


    /** A tick per symbol of every partition, after the others, on a later day. */
    private List<String> produceMore(String topic) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String ts = "2026-01-20T08:00:00." + (100 + i) + "Z";
            records.add(record("SYM" + i, ts, 3.0, 3.5));
            expected.add(row("SYM" + i, ts, 3.0, 3.5));
        }
        kafka.produce(topic, records);
        return expected;
    }

    /** Runs a consumer until the group has committed the topic's end offsets, stops it; returns its log. */
    private String drain(String[] args, String group, String topic) throws Exception {
        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), args)) {
            Map<Integer, Long> end = kafka.endOffsets(topic, PARTITIONS);
            await("every record committed").atMost(Duration.ofSeconds(120))
                    .until(() -> end.equals(kafka.committedOffsets(group, topic)));
            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output()).isZero();
            return consumer.output();
        }
    }

    private List<String> produce(String topic, int shiftMillis, double bid) {
        List<Map.Entry<String, String>> records = new ArrayList<>(TICKS);
        List<String> expected = new ArrayList<>(TICKS);
        Instant from = Instant.parse("2026-01-19T08:00:00Z").plusMillis(shiftMillis);
        for (int i = 0; i < TICKS; i++) {
            String symbol = "SYM" + (i % 8);
            String ts = from.plusMillis(i * 10L).toString();
            records.add(record(symbol, ts, bid, bid + 0.5));
            expected.add(row(symbol, ts, bid, bid + 0.5));
        }
        kafka.produce(topic, records);
        return expected;
    }
}
