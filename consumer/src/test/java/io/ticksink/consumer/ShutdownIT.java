package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.count;
import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM, as systemd and Kubernetes stop the service. */
class ShutdownIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void sigtermWritesAndCommitsTheBatchInHandThenExitsZero() throws Exception {
        String topic = kafka.createTopic("sigterm", 2);
        String group = "g-" + topic;
        List<String> expected = produce(topic, 1000);
        Path dataDir = work.resolve("data");

        // a long linger keeps every record in hand, unwritten, until the signal
        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--linger", "10m", "--batch-size", "1000000", "--http-port", "0", "--http-address", "127.0.0.1")) {
            int port = consumer.httpPort();
            await("every record polled").atMost(Duration.ofSeconds(60)).until(() -> totalLag(port, topic) == 0);
            assertThat(count(dataDir, DAY)).isZero();

            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output()).isZero();
        }
        assertThat(rows(dataDir, DAY)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kafka.committedOffsets(group, topic)).isEqualTo(kafka.endOffsets(topic, 2));
    }

    @Test
    void sigtermWhileWritesFailStopsWithinTheTimeoutWithoutCommittingAndARestartStoresEverything() throws Exception {
        String topic = kafka.createTopic("sigterm-locked", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        List<String> expected = produce(topic, 1);
        String[] args = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--group-id", group,
            "--data-dir", dataDir.toString(), "--http-port", "0", "--http-address", "127.0.0.1",
            "--busy-timeout", "100ms", "--retry-initial", "100ms", "--retry-max", "500ms", "--shutdown-timeout", SHUTDOWN_TIMEOUT.toSeconds() + "s"};

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Map.of(0, 1L).equals(kafka.committedOffsets(group, topic)));
            int port = consumer.httpPort();
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(dataDir, DAY))) {
                try (Statement st = lock.createStatement()) {
                    st.execute("BEGIN EXCLUSIVE");
                }
                expected.addAll(produce(topic, 50));
                await("writes failing").atMost(Duration.ofSeconds(60)).until(() -> metric(port, "ticksink_write_retries_total") >= 2);

                consumer.terminate();
                // the promise to an operator: gone within --shutdown-timeout plus the grace to close
                assertThat(consumer.waitFor(SHUTDOWN_TIMEOUT.plus(Main.CLOSE_GRACE))).as(consumer.output())
                        .isEqualTo(TickConsumer.EXIT_UNCOMMITTED);
                assertThat(consumer.output()).contains("stopped after --shutdown-timeout 3s");
                assertThat(kafka.committedOffsets(group, topic)).isEqualTo(Map.of(0, 1L));
                try (Statement st = lock.createStatement()) {
                    st.execute("ROLLBACK");
                }
            }
        }

        try (ConsumerProcess restarted = ConsumerProcess.start(work, List.of(), args)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Map.of(0, 51L).equals(kafka.committedOffsets(group, topic)));
            restarted.terminate();
            assertThat(restarted.waitFor(Duration.ofSeconds(30))).as(restarted.output()).isZero();
        }
        assertThat(rows(dataDir, DAY)).containsExactlyInAnyOrderElementsOf(expected);
    }

    private final java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();

    private List<String> produce(String topic, int n) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        Instant from = Instant.parse("2026-01-19T12:00:00Z");
        for (int i = 0; i < n; i++) {
            int k = produced.getAndIncrement();
            String ts = from.plusMillis(k * 11L).toString();
            String symbol = "SYM" + (k % 7);
            records.add(record(symbol, ts, 1.0 + k / 10_000.0, 1.5));
            expected.add(row(symbol, ts, 1.0 + k / 10_000.0, 1.5));
        }
        kafka.produce(topic, records);
        return expected;
    }

    private static double totalLag(int port, String topic) throws Exception {
        return Metrics.totalLag(port, topic);
    }

    private static double metric(int port, String name) throws Exception {
        return Metrics.value(port, name);
    }
}
