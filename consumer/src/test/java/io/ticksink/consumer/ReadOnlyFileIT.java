package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A day file that cannot be written (made immutable with chattr, which stops root too, as a
 * read-only remount would): the consumer retries, moves no offset, and stores everything once the
 * file is writable again. Should the test JVM die between the two chattr calls, clear the attribute
 * by hand before the next clean build: {@code chattr -R -i consumer/target}.
 */
class ReadOnlyFileIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @KafkaBroker
    KafkaTestCluster kafka;

    @Test
    void aDayFileThatCannotBeWrittenIsRetriedUntilItCanAndNothingIsLost() throws Exception {
        // under target/, on the build's own filesystem: chattr needs ext2/3/4, xfs or btrfs
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "readonly-");
        Path file = DayFiles.path(dataDir, DAY);
        String topic = kafka.createTopic("readonly", 1);
        String group = "g-" + topic;
        kafka.produce(topic, List.of(record("EURUSD", "2026-01-19T09:00:00Z", 1.0, 1.1)));
        List<String> expected = new ArrayList<>(List.of(row("EURUSD", "2026-01-19T09:00:00Z", 1.0, 1.1)));

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, group, dataDir,
                "--busy-timeout", "100ms", "--retry-initial", "100ms", "--retry-max", "1s")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.assertRunning();
                return Map.of(0, 1L).equals(kafka.committedOffsets(group, topic));
            });
            List<Path> locked = new ArrayList<>();
            for (String suffix : List.of("", "-wal")) { // not -shm: it is memory-mapped, and a mapped page that cannot be written is a SIGBUS
                Path p = Path.of(file + suffix);
                if (Files.exists(p)) {
                    locked.add(p);
                }
            }
            Assumptions.assumeTrue(chattr("+i", locked), "this filesystem has no immutable attribute");
            try {
                List<Map.Entry<String, String>> more = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String ts = String.format("2026-01-19T10:00:%02d.000Z", i);
                    more.add(record("EURUSD", ts, 1.0 + i / 1000.0, 1.1));
                    expected.add(row("EURUSD", ts, 1.0 + i / 1000.0, 1.1));
                }
                double before = retries(consumer);
                kafka.produce(topic, more);
                await("failed writes retried").atMost(Duration.ofSeconds(60)).until(() -> retries(consumer) >= before + 3);
                assertThat(consumer.metrics().notReadyReason()).startsWith("writes failing");
                assertThat(kafka.committedOffsets(group, topic)).isEqualTo(Map.of(0, 1L));
            } finally {
                chattr("-i", locked);
            }
            await("stored once writable").atMost(Duration.ofSeconds(60))
                    .until(() -> Map.of(0, 51L).equals(kafka.committedOffsets(group, topic)));
            assertThat(consumer.stop()).isZero();
        }
        assertThat(rows(dataDir, DAY)).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static double retries(InProcessConsumer consumer) {
        return consumer.metrics().registry().get("ticksink.write.retries").counter().count();
    }

    private static boolean chattr(String flag, List<Path> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("chattr", flag));
        files.forEach(f -> command.add(f.toString()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false; // no chattr on this machine
        }
    }
}
