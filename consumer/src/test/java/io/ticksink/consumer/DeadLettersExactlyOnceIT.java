package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer killed with SIGKILL after it sent a batch's dead letters: before their transaction
 * committed, or after it committed and before the consumer's own offset commit. Restarted on its
 * data dir, every poison record is in the dead-letter topic exactly once for a read_committed
 * reader, every tick is stored once, and the offsets reach the end.
 */
class DeadLettersExactlyOnceIT {

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"before-dead-letter-commit", "before-offset-commit"})
    void aConsumerKilledAfterSendingDeadLettersSendsNoneTwiceAfterItsRestart(String point) throws Exception {
        String topic = kafka.createTopic("dlq-once", 1);
        String group = "g-" + topic;
        String dlq = topic + ".dlq";
        Path dataDir = work.resolve("data");
        Path fault = Files.createDirectories(work.resolve("fault"));
        Files.createFile(fault.resolve("arm"));
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> ticks = new ArrayList<>();
        List<String> poison = new ArrayList<>();
        Instant t = Instant.parse("2026-01-19T10:00:00Z");
        for (int i = 0; i < 300; i++) {
            String ts = t.plusMillis(11L * i).toString();
            records.add(record("EURUSD", ts, 1.0 + i / 10_000.0, 1.1));
            ticks.add(row("EURUSD", ts, 1.0 + i / 10_000.0, 1.1));
            if (i % 50 == 7) {
                poison.add("poison " + i);
                records.add(Map.entry("EURUSD", "poison " + i));
            }
        }
        kafka.produce(topic, records);
        long end = records.size();

        String firstId;
        try (ConsumerProcess killed = start(topic, group, dataDir, "-Dticksink.fault=" + point + ":hold",
                "-Dticksink.fault.dir=" + fault)) {
            await("the consumer holds at " + point).atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(killed.isAlive()).as(killed.output()).isTrue();
                return killed.output().contains(Faults.HOLDING + point);
            });
            killed.kill();
            assertThat(killed.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
            firstId = transactionalId(killed.output());
        }
        // the fault happened: the dead letters were sent, and the offsets were not committed by the consumer
        List<String> sent = values(kafka.readAll(dlq, poison.size()));
        assertThat(sent).as("dead letters sent before the kill").containsAll(poison);
        if (point.equals("before-dead-letter-commit")) {
            assertThat(values(kafka.readCommitted(dlq, false))).as("not committed: invisible to read_committed").isEmpty();
            assertThat(kafka.committedOffsets(group, topic)).isEmpty();
        } else {
            assertThat(values(kafka.readCommitted(dlq))).containsExactlyInAnyOrderElementsOf(poison);
        }

        try (ConsumerProcess restarted = start(topic, group, dataDir)) {
            await("offsets committed to the end").atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(restarted.isAlive()).as(restarted.output()).isTrue();
                return restarted.output().contains("partitions assigned")
                        && Map.of(0, end).equals(kafka.committedOffsets(group, topic));
            });
            restarted.terminate();
            assertThat(restarted.waitFor(Duration.ofSeconds(60))).as(restarted.output()).isZero();
            assertThat(transactionalId(restarted.output())).as("the member's transactional.id is stable").isEqualTo(firstId);
        }
        assertThat(values(kafka.readCommitted(dlq))).as("each poison record once").containsExactlyInAnyOrderElementsOf(poison);
        StoredRows.assertExactlyOnce(StoredRows.of(dataDir), ticks);
    }

    private ConsumerProcess start(String topic, String group, Path dataDir, String... jvm) throws Exception {
        return ConsumerProcess.start(work, List.of(jvm), "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "-1",
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000");
    }

    private static String transactionalId(String log) {
        Matcher m = Pattern.compile("in transactions as (\\S+)").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        return m.group(1);
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}
