package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockedDatabaseIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @KafkaBroker
    KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void aDatabaseLockedBySomeoneElseIsRetriedWithoutMovingOffsetsAndEverythingLandsAfterwards() throws Exception {
        String topic = kafka.createTopic("locked", 1);
        String group = "g-" + topic;
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T09:00:00Z", 1.0, 1.1)));

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, group, dataDir,
                "--http-port", "0", "--http-address", "127.0.0.1", "--busy-timeout", "100ms",
                "--retry-initial", "100ms", "--retry-max", "1s")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.assertRunning();
                return Map.of(0, 1L).equals(kafka.committedOffsets(group, topic));
            });
            assertThat(ready(consumer)).isEqualTo(200);

            List<Map.Entry<String, String>> more = new ArrayList<>();
            List<String> expected = new ArrayList<>(List.of(row("EURUSD", "2026-01-19T09:00:00Z", 1.0, 1.1)));
            for (int i = 0; i < 100; i++) {
                String ts = String.format("2026-01-19T10:00:%02d.%03dZ", i / 10, i);
                more.add(record("EURUSD", ts, 1.0 + i / 1000.0, 1.1));
                expected.add(row("EURUSD", ts, 1.0 + i / 1000.0, 1.1));
            }

            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(dataDir, DAY))) {
                try (Statement st = lock.createStatement()) {
                    st.execute("BEGIN EXCLUSIVE"); // another process holding the day file
                }
                double retriesBefore = retries(consumer);
                kafka.produce(topic, more);

                // hold the lock through several backoff rounds (seconds, with the busy timeout)
                await("several failed attempts").atMost(Duration.ofSeconds(60))
                        .until(() -> retries(consumer) >= retriesBefore + 4);
                assertThat(ready(consumer)).isEqualTo(503);
                assertThat(kafka.committedOffsets(group, topic)).isEqualTo(Map.of(0, 1L));
                assertThat(rows(dataDir, DAY)).hasSize(1);

                try (Statement st = lock.createStatement()) {
                    st.execute("ROLLBACK");
                }
            }

            await("everything committed after the lock").atMost(Duration.ofSeconds(60))
                    .until(() -> Map.of(0, 101L).equals(kafka.committedOffsets(group, topic)));
            await("ready again").atMost(Duration.ofSeconds(10)).until(() -> ready(consumer) == 200);
            assertThat(consumer.stop()).isZero();
            assertThat(rows(dataDir, DAY)).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static double retries(InProcessConsumer consumer) {
        return consumer.metrics().registry().get("ticksink.write.retries").counter().count();
    }

    private int ready(InProcessConsumer consumer) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.httpPort() + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
