package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What retrying cannot fix stops the consumer with a non-zero exit, one clear message, and no offset moved. */
class FatalErrorIT {

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void aDayFileThatIsNotADatabaseStopsTheConsumerWithExitTwoAndCommitsNothing() throws Exception {
        String topic = kafka.createTopic("corrupt", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Path file = DayFiles.path(dataDir, LocalDate.of(2026, 1, 19));
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[8192]); // zeroes: not an SQLite file
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.1)));

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--http-port", "-1")) {
            assertThat(consumer.waitFor(Duration.ofSeconds(60))).isEqualTo(TickConsumer.EXIT_FATAL);
            assertThat(consumer.output()).contains("cannot go on").contains(file.getFileName().toString());
        }
        assertThat(kafka.committedOffsets(group, topic)).isEmpty();
    }

    @Test
    void withJsonLogsEveryLineIsOneJsonObjectAndTheFatalMessageIsAmongThem() throws Exception {
        String topic = kafka.createTopic("json-logs", 1);
        Path dataDir = work.resolve("data");
        Path file = DayFiles.path(dataDir, LocalDate.of(2026, 1, 19));
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[8192]);
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.1)));

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", "g-" + topic, "--data-dir", dataDir.toString(),
                "--http-port", "-1", "--log-format", "json")) {
            assertThat(consumer.waitFor(Duration.ofSeconds(60))).isEqualTo(TickConsumer.EXIT_FATAL);
            List<String> lines = consumer.output().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}")
                    .contains("\"log.level\"").contains("\"message\""));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("cannot go on").contains("\"ERROR\""));
        }
    }

    @Test
    void aDayFileOfANewerSchemaVersionStopsTheConsumerNamingTheVersion() throws Exception {
        String topic = kafka.createTopic("newer-schema", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Path file = DayFiles.path(dataDir, LocalDate.of(2026, 1, 19));
        Files.createDirectories(file.getParent());
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement()) {
            st.execute("PRAGMA application_id = " + io.ticksink.schema.DayDatabase.APPLICATION_ID);
            st.execute("PRAGMA user_version = 99");
        }
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.1)));

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--http-port", "-1")) {
            assertThat(consumer.waitFor(Duration.ofSeconds(60))).isEqualTo(TickConsumer.EXIT_FATAL);
            assertThat(consumer.output()).contains("schema version 99");
        }
        assertThat(kafka.committedOffsets(group, topic)).isEmpty();
    }
}
