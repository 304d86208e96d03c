package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.count;
import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer JVM halted (as by kill -9) at the worst moments, then started again: the stored
 * rows equal the produced ticks, none missing and none twice.
 */
class CrashRecoveryIT {

    private static final LocalDate DAY_1 = LocalDate.of(2026, 1, 19);
    private static final LocalDate DAY_2 = LocalDate.of(2026, 1, 20);

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void aCrashBetweenTheSqliteCommitAndTheOffsetCommitWritesNothingTwiceAfterRestart() throws Exception {
        String topic = kafka.createTopic("crash-commit", 1);
        String group = "g-" + topic;
        List<String> expected = produceAcross(topic, 500, Instant.parse("2026-01-19T08:00:00Z"));
        Path dataDir = work.resolve("data");

        try (ConsumerProcess crashing = start(topic, group, dataDir, "-Dticksink.fault=before-offset-commit:1")) {
            assertThat(crashing.waitFor(Duration.ofSeconds(90))).as(crashing.output()).isEqualTo(Faults.HALT_STATUS);
        }
        assertThat(count(dataDir, DAY_1)).as("rows stored before the crash").isPositive();
        assertThat(kafka.committedOffsets(group, topic)).as("offsets committed before the crash").isEmpty();

        try (ConsumerProcess restarted = start(topic, group, dataDir)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> Map.of(0, 500L).equals(kafka.committedOffsets(group, topic)));
            restarted.terminate();
            assertThat(restarted.waitFor(Duration.ofSeconds(60))).as(restarted.output()).isZero();
            assertThat(restarted.output()).contains("skipped");
        }
        assertThat(rows(dataDir, DAY_1)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aCrashBetweenTheTwoDayFilesOfABatchStoresTheMissingDayOnceAndTheOtherNotAgain() throws Exception {
        String topic = kafka.createTopic("crash-midnight", 1);
        String group = "g-" + topic;
        // ticks alternate between the two days, so one batch holds both in interleaved offsets
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> day1 = new ArrayList<>();
        List<String> day2 = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean first = i % 2 == 0;
            String ts = first ? String.format("2026-01-19T23:59:%02d.%03dZ", i % 60, i) : String.format(
                    "2026-01-20T00:00:%02d.%03dZ", i % 60, i);
            records.add(record("EURUSD", ts, 1.0 + i / 10_000.0, 1.1));
            (first ? day1 : day2).add(row("EURUSD", ts, 1.0 + i / 10_000.0, 1.1));
        }
        kafka.produce(topic, records);
        Path dataDir = work.resolve("data");

        try (ConsumerProcess crashing = start(topic, group, dataDir, "-Dticksink.fault=after-day-commit:1",
                "--linger", "3s")) {
            assertThat(crashing.waitFor(Duration.ofSeconds(90))).as(crashing.output()).isEqualTo(Faults.HALT_STATUS);
        }
        assertThat(count(dataDir, DAY_1)).as("the first day file was committed").isPositive();
        assertThat(count(dataDir, DAY_2)).as("the second day file was not").isZero();
        assertThat(kafka.committedOffsets(group, topic)).isEmpty();

        try (ConsumerProcess restarted = start(topic, group, dataDir)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> Map.of(0, 200L).equals(kafka.committedOffsets(group, topic)));
            restarted.terminate();
            assertThat(restarted.waitFor(Duration.ofSeconds(60))).as(restarted.output()).isZero();
        }
        assertThat(rows(dataDir, DAY_1)).containsExactlyInAnyOrderElementsOf(day1);
        assertThat(rows(dataDir, DAY_2)).containsExactlyInAnyOrderElementsOf(day2);
    }

    private List<String> produceAcross(String topic, int n, Instant from) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String ts = from.plusMillis(i * 37L).toString();
            String symbol = i % 3 == 0 ? "GBPUSD" : "EURUSD";
            records.add(record(symbol, ts, 1.0 + i / 10_000.0, 1.2));
            expected.add(row(symbol, ts, 1.0 + i / 10_000.0, 1.2));
        }
        kafka.produce(topic, records);
        return expected;
    }

    private ConsumerProcess start(String topic, String group, Path dataDir, String... extra) throws Exception {
        List<String> jvm = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "-1",
                // a halted member holds its partitions until its session expires: keep that short
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000"));
        for (String e : extra) {
            if (e.startsWith("-D")) {
                jvm.add(e);
            } else {
                args.add(e);
            }
        }
        return ConsumerProcess.start(work, jvm, args.toArray(String[]::new));
    }
}
