package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Files;
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

/**
 * The ways out of the consumer that are not a clean stop: a batch that fails for good, and one
 * still failing at the shutdown deadline. Whatever was read behind such a batch is neither written
 * nor committed on the way out (the revocation that closing the Kafka client runs included), so
 * a restart after the cause is fixed stores every record exactly once.
 */
class ExitPathIT {

    private static final LocalDate LATE_DAY = LocalDate.of(2026, 3, 13);
    private static final LocalDate DAY = LocalDate.of(2026, 3, 14);
    private static final int TICKS = 100_000;

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void aFatalErrorWritesAndCommitsNothingReadBehindTheFailedBatchAndARestartStoresEveryTick() throws Exception {
        String topic = kafka.createTopic("exit-fatal", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Path foreign = DayFiles.path(dataDir, LATE_DAY);
        Files.createDirectories(foreign.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)"); // some other program's SQLite file
        }
        List<String> expected = produceLateTickThenDay(topic);
        String[] args = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--group-id", group,
            "--data-dir", dataDir.toString(), "--http-port", "-1"};

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), args)) {
            assertThat(consumer.waitFor(Duration.ofSeconds(90))).as(consumer.output()).isEqualTo(TickConsumer.EXIT_FATAL);
            assertThat(consumer.output()).contains("cannot go on").contains("not a ticksink day database");
        }
        // the fault happened where it should: the first batch failed on the late tick's day file
        assertThat(kafka.committedOffsets(group, topic)).isEmpty();
        assertThat(TestTicks.count(dataDir, DAY)).as("ticks written behind the failed batch").isZero();

        Files.move(foreign, work.resolve("moved-aside.db")); // what the operator does
        restartAndStoreEverything(args, group, topic, dataDir, expected);
        assertThat(TestTicks.count(dataDir, LATE_DAY)).isEqualTo(1);
    }

    @Test
    void aBatchGivenUpAtTheShutdownDeadlineExitsThreeWithNothingBehindItWrittenOrCommitted() throws Exception {
        String topic = kafka.createTopic("exit-deadline", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Path late = DayFiles.path(dataDir, LATE_DAY);
        Files.createDirectories(late.getParent());
        List<String> expected = produceLateTickThenDay(topic);
        // a long busy timeout and short retry delays: the writer spends nearly all its time inside
        // SQLite's busy wait, where the stop's interrupt lands
        String[] args = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--group-id", group,
            "--data-dir", dataDir.toString(), "--http-port", "0", "--http-address", "127.0.0.1",
            "--busy-timeout", "5s", "--retry-initial", "10ms", "--retry-max", "20ms", "--shutdown-timeout", "3s"};

        try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + late)) {
            try (Statement st = lock.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("BEGIN EXCLUSIVE"); // another process holds the late day's file
            }
            try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), args)) {
                int port = consumer.httpPort();
                await("the late tick's write failing, and the next batch read behind it")
                        .atMost(Duration.ofSeconds(90)).until(() -> Metrics.value(port, "ticksink_write_retries_total") >= 1
                                && Metrics.totalLag(port, topic) <= TICKS + 1 - 2_000);

                consumer.terminate();
                assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output())
                        .isEqualTo(TickConsumer.EXIT_UNCOMMITTED);
                assertThat(consumer.output()).contains("--shutdown-timeout");
            }
            assertThat(kafka.committedOffsets(group, topic)).as("offsets committed on the way out").isEmpty();
            assertThat(TestTicks.count(dataDir, DAY)).as("ticks written behind the given-up batch").isZero();
            try (Statement st = lock.createStatement()) {
                st.execute("ROLLBACK");
            }
        }

        restartAndStoreEverything(args, group, topic, dataDir, expected);
    }

    /** Once the cause is gone, a restart stores every record exactly once and commits the end offset. */
    private void restartAndStoreEverything(String[] args, String group, String topic, Path dataDir, List<String> expected)
            throws Exception {
        try (ConsumerProcess restarted = ConsumerProcess.start(work, List.of(), args)) {
            await("every record committed").atMost(Duration.ofSeconds(120))
                    .until(() -> Map.of(0, (long) TICKS + 1).equals(kafka.committedOffsets(group, topic)));
            restarted.terminate();
            assertThat(restarted.waitFor(Duration.ofSeconds(40))).as(restarted.output()).isZero();
        }
        StoredRows.assertExactlyOnce(StoredRows.of(dataDir), expected);
    }

    /** One partition: a late tick of the day before, then {@link #TICKS} ticks of the day. */
    private List<String> produceLateTickThenDay(String topic) {
        List<Map.Entry<String, String>> records = new ArrayList<>(TICKS + 1);
        List<String> expected = new ArrayList<>(TICKS + 1);
        records.add(record("EURUSD", "2026-03-13T23:59:59.500Z", 1.25, 1.5));
        expected.add(row("EURUSD", "2026-03-13T23:59:59.500Z", 1.25, 1.5));
        Instant from = Instant.parse("2026-03-14T00:00:00Z");
        for (int i = 0; i < TICKS; i++) {
            String ts = from.plusMillis(i * 7L).toString();
            double bid = 1.0 + i / 1_000_000.0;
            records.add(record("EURUSD", ts, bid, 1.5));
            expected.add(row("EURUSD", ts, bid, 1.5));
        }
        kafka.produce(topic, records);
        return expected;
    }
}
