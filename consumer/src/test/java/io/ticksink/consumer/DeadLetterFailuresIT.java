package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead-letter topic that is missing or refuses a record: the start fails clearly or creates the
 * topic, and a record the topic refuses for good goes to the local rejects file while the stream
 * goes on. Real broker, real day files.
 */
class DeadLetterFailuresIT {

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void aConsumerWhoseDeadLetterTopicIsMissingStopsAtStartWithExitTwoNamingTheTopicAndTheOption() throws Exception {
        String topic = kafka.createTopic("dlq-missing", 1);
        String group = "g-" + topic;
        String dlq = topic + ".nowhere";
        Path dataDir = work.resolve("data");
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2), Map.entry("EURUSD", "not json")));

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--dlq-topic", dlq, "--dlq-create=false", "--http-port", "-1")) {
            assertThat(consumer.waitFor(Duration.ofSeconds(90))).isEqualTo(TickConsumer.EXIT_FATAL);
            assertThat(consumer.output()).contains("dead-letter topic " + dlq + " does not exist").contains("--dlq-create");
        }
        assertThat(describe(dlq)).as("the check must not create the topic").isNull();
        assertThat(kafka.committedOffsets(group, topic)).isEmpty();
        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).isEmpty();
    }

    @Test
    void withDlqCreateAMissingDeadLetterTopicIsCreatedAsTheSourceTopicAndTakesTheRejects() throws Exception {
        String topic = kafka.createTopic("dlq-create", 2);
        String group = "g-" + topic;
        String dlq = topic + ".created";
        Path dataDir = work.resolve("data");
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2), Map.entry("EURUSD", "not json")));

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, group, dataDir,
                "--dlq-topic", dlq, "--dlq-create")) {
            // created at start (the check runs once Kafka answers, before the first poll), before anything
            // is sent to it: the broker's own auto-creation would make one partition
            await("the dead-letter topic").atMost(Duration.ofSeconds(30)).until(() -> describe(dlq) != null);
            TopicDescription created = describe(dlq);
            assertThat(created.partitions()).hasSize(2);
            awaitCommitted(consumer, group, topic, 2);
            assertThat(consumer.stop()).isZero();
        }
        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).containsExactly(row("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2));
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(dlq);
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json");
    }

    @Test
    void aRejectTooLargeForTheDeadLetterTopicGoesToTheRejectsFileAndTheStreamGoesOn() throws Exception {
        String topic = kafka.createTopic("dlq-too-large", 1);
        String group = "g-" + topic;
        String dlq = kafka.createTopic("dlq-small", 1);
        limitMessageBytes(dlq, 2048);
        Path dataDir = work.resolve("data");
        String poison = "not json " + "x".repeat(20_000); // fits the source topic, not the dead-letter topic
        List<Map.Entry<String, String>> records = List.of(
                record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                Map.entry("EURUSD", poison),
                Map.entry("EURUSD", "small and not json"),
                record("EURUSD", "2026-01-19T10:00:01Z", 1.3, 1.4));
        kafka.produce(topic, records);

        String metrics;
        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, group, dataDir,
                "--dlq-topic", dlq, "--dlq-timeout", "5s", "--retry-initial", "50ms", "--retry-max", "200ms")) {
            awaitCommitted(consumer, group, topic, 1);
            metrics = consumer.metrics().scrape();
            assertThat(consumer.stop()).isZero();
        }

        // the stream went on: both ticks stored, every offset committed, the small reject in the topic
        assertThat(rows(dataDir, LocalDate.of(2026, 1, 19))).containsExactly(
                row("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                row("EURUSD", "2026-01-19T10:00:01Z", 1.3, 1.4));
        assertThat(kafka.committedOffsets(group, topic)).containsEntry(0, 4L);
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readCommitted(dlq);
        assertThat(dead).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("small and not json");

        // and the large one, refused by the topic for good, is in the rejects file, whole
        Path rejectsDir = dataDir.resolve("rejects");
        List<Path> files;
        try (Stream<Path> list = Files.list(rejectsDir)) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).matches("rejects-\\d{4}-\\d{2}-\\d{2}\\.jsonl");
        List<String> lines = Files.readAllLines(files.get(0), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        Map<String, String> line = fields(lines.get(0));
        assertThat(line).containsEntry("topic", topic).containsEntry("partition", "0").containsEntry("offset", "1")
                .containsEntry("reason", "NOT_JSON").containsEntry("dlq_topic", dlq)
                .containsEntry("key", Base64.getEncoder().encodeToString("EURUSD".getBytes(StandardCharsets.UTF_8)));
        assertThat(line.get("dlq_error")).as("the fault happened: the topic refused the record").contains("RecordTooLarge");
        assertThat(new String(Base64.getDecoder().decode(line.get("value")), StandardCharsets.UTF_8)).isEqualTo(poison);
        assertThat(metrics)
                .contains("ticksink_dead_letters_total{destination=\"rejects-file\",reason=\"NOT_JSON\"} 1.0")
                .contains("ticksink_dead_letters_total{destination=\"topic\",reason=\"NOT_JSON\"} 1.0");
    }

    /** The flat fields of one rejects-file line (numbers as text); the headers array is skipped. */
    private static Map<String, String> fields(String json) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isStructStart()) {
                    p.skipChildren();
                } else {
                    fields.put(name, value == JsonToken.VALUE_NULL ? null : p.getText());
                }
            }
        }
        return fields;
    }

    private void limitMessageBytes(String topic, int bytes) throws Exception {
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", Integer.toString(bytes)), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            await("max.message.bytes of " + topic).atMost(Duration.ofSeconds(30)).until(() ->
                    Integer.toString(bytes).equals(admin.describeConfigs(Set.of(resource)).all().get(30, TimeUnit.SECONDS)
                            .get(resource).get("max.message.bytes").value()));
        }
    }

    /** The topic's description, or null when it does not exist. */
    private TopicDescription describe(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private void awaitCommitted(InProcessConsumer consumer, String group, String topic, int partitions) {
        Map<Integer, Long> end = new HashMap<>(kafka.endOffsets(topic, partitions));
        end.values().removeIf(offset -> offset == 0); // a partition without records has nothing to commit
        await("offsets committed up to " + end).atMost(Duration.ofSeconds(60)).until(() -> {
            consumer.assertRunning();
            return kafka.committedOffsets(group, topic).entrySet().containsAll(end.entrySet());
        });
    }
}
