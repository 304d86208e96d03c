package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets that go backwards: a topic deleted and created again restarts at offset 0 under a new
 * topic id. Its records are not taken for the old topic's, whose positions the day files hold.
 */
class TopicRecreatedIT {

    private static final int PARTITIONS = 2;
    private static final int TICKS = 50_000;

    private final KafkaTestCluster kafka = KafkaTestCluster.get();

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
