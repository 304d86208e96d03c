package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTicksIT {

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path dataDir;

    @Test
    void ticksCrossingUtcMidnightLandInTheFilesOfTheirOwnDays() throws Exception {
        String topic = kafka.createTopic("midnight", 2);
        kafka.produce(topic, List.of(
                record("EURUSD", "2026-01-19T23:59:59.999Z", 1.1, 1.2),
                record("EURUSD", "2026-01-20T00:00:00.000Z", 1.3, 1.4),
                // 01:30 at +02:00 is 23:30 UTC of the day before
                Map.entry("GBPUSD", "{\"symbol\":\"GBPUSD\",\"timestamp\":\"2026-01-20T01:30:00.5+02:00\",\"bid\":1.5,\"ask\":1.6}"),
                // epoch nanoseconds, and a value without symbol: the key is the symbol
                Map.entry("USDJPY", "{\"timestamp\":1768867200123456789,\"bid\":150.1,\"ask\":150.2}")));

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, "g-" + topic, dataDir)) {
            awaitCommitted(consumer, "g-" + topic, topic, 2);
            assertThat(consumer.stop()).isZero();
        }

        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).containsExactly(
                row("GBPUSD", "2026-01-19T23:30:00.500Z", 1.5, 1.6),
                row("EURUSD", "2026-01-19T23:59:59.999Z", 1.1, 1.2));
        assertThat(rows(dataDir, LocalDate.of(2026, 1, 20))).containsExactly(
                row("EURUSD", "2026-01-20T00:00:00.000Z", 1.3, 1.4),
                row("USDJPY", "2026-01-20T00:00:00.123Z", 150.1, 150.2));
        assertThat(kafka.committedOffsets("g-" + topic, topic)).isEqualTo(kafka.endOffsets(topic, 2));
    }

    @Test
    void distinctTicksSharingSymbolAndMillisecondAreAllStored() throws Exception {
        String topic = kafka.createTopic("same-ms", 1);
        List<Map.Entry<String, String>> records = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            double bid = 1.1 + i / 1000.0;
            // the same millisecond, different sub-millisecond digits and prices
            records.add(record("EURUSD", "2026-01-19T10:00:00.123" + i + "00Z", bid, bid + 0.0001));
            expected.add(row("EURUSD", "2026-01-19T10:00:00.123Z", bid, bid + 0.0001));
        }
        kafka.produce(topic, records);

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, "g-" + topic, dataDir)) {
            awaitCommitted(consumer, "g-" + topic, topic, 1);
            assertThat(consumer.stop()).isZero();
        }

        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kafka.committedOffsets("g-" + topic, topic)).containsEntry(0, 5L);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheirReasonAndDoNotStopTheStream() throws Exception {
        String topic = kafka.createTopic("poison", 1);
        String dlq = topic + ".dlq";
        kafka.createTopic(dlq, 1);
        List<Map.Entry<String, String>> records = List.of(
                record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                Map.entry("EURUSD", "not json at all"),
                Map.entry("EURUSD", "{\"timestamp\":\"2026-01-19T10:00:01Z\",\"bid\":\"1.1\",\"ask\":1.2}"),
                Map.entry("EURUSD", "{\"timestamp\":\"2026-01-19T10:00:02Z\",\"bid\":1.1}"),
                Map.entry("EURUSD", "{\"timestamp\":\"2026-01-19T10:00:03Z\",\"bid\":NaN,\"ask\":1.2}"),
                Map.entry("EURUSD", "{\"timestamp\":\"1970-01-01T00:00:00Z\",\"bid\":1.1,\"ask\":1.2}"),
                record("EURUSD", "2026-01-19T10:00:04Z", 1.3, 1.4));
        kafka.produce(topic, records);

        String metrics;
        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, "g-" + topic, dataDir,
                "--dlq-topic", dlq, "--http-port", "0", "--http-address", "127.0.0.1")) {
            awaitCommitted(consumer, "g-" + topic, topic, 1);
            metrics = get(consumer.httpPort(), "/metrics");
            assertThat(get(consumer.httpPort(), "/health/live")).isEqualTo("live\n");
            assertThat(consumer.stop()).isZero();
        }
        assertThat(metrics)
                .contains("ticksink_ticks_stored_total 2.0")
                .containsPattern("ticksink_batches_total [1-9]")
                .contains("ticksink_dead_letters_total{destination=\"topic\",reason=\"NOT_JSON\"} 1.0")
                .contains("ticksink_dead_letters_total{destination=\"topic\",reason=\"BAD_TIMESTAMP\"} 1.0")
                .contains("ticksink_consumer_lag{partition=\"0\",topic=\"" + topic + "\"} 0.0")
                .contains("ticksink_write_retries_total 0.0")
                .contains("ticksink_ready 1.0")
                .contains("ticksink_open_databases 1.0")
                .contains("ticksink_batch_write_seconds_bucket")
                .contains("ticksink_commit_latency_seconds_count 7")
                .contains("ticksink_last_commit_age_seconds")
                .contains("jvm_memory_used_bytes");

        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).containsExactly(
                row("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                row("EURUSD", "2026-01-19T10:00:04Z", 1.3, 1.4));
        assertThat(kafka.committedOffsets("g-" + topic, topic)).containsEntry(0, 7L);

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(dlq);
        assertThat(dead).hasSize(5);
        Map<Long, String> reasonByOffset = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            long sourceOffset = Long.parseLong(header(r, DeadLetters.SOURCE_OFFSET));
            reasonByOffset.put(sourceOffset, header(r, DeadLetters.REASON));
            assertThat(header(r, DeadLetters.SOURCE_TOPIC)).isEqualTo(topic);
            assertThat(header(r, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(r, DeadLetters.DETAIL)).isNotBlank();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("EURUSD");
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(records.get((int) sourceOffset).getValue());
        }
        assertThat(reasonByOffset).containsExactlyInAnyOrderEntriesOf(Map.of(
                1L, "NOT_JSON", 2L, "WRONG_TYPE", 3L, "MISSING_FIELD", 4L, "NOT_FINITE", 5L, "BAD_TIMESTAMP"));
    }

    private static String get(int port, String path) throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
        return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void awaitCommitted(InProcessConsumer consumer, String group, String topic, int partitions) {
        Map<Integer, Long> end = kafka.endOffsets(topic, partitions);
        await("offsets committed up to " + end).atMost(Duration.ofSeconds(60)).until(() -> {
            consumer.assertRunning();
            return kafka.committedOffsets(group, topic).equals(end);
        });
    }
}
