package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static io.ticksink.consumer.TestTicks.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A day file that cannot be written (made immutable with chattr, which stops root too and, unlike a
 * read-only remount, can be done while the consumer holds the file open): the consumer retries,
 * moves no offset, and stores everything once the file is writable again. Needs root. Should the
 * test JVM die between the two chattr calls, clear the attribute by hand before the next clean
 * build: {@code chattr -R -i consumer/target}.
 */
class ReadOnlyFileIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @KafkaBroker
    KafkaTestCluster kafka;

    @Test
    void aDayFileThatCannotBeWrittenIsRetriedUntilItCanAndNothingIsLost() throws Exception {
        // under target/, on the build's own filesystem: chattr +i needs ext2/3/4, xfs, btrfs or tmpfs
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
            assertThat(locked).as("the day file").isNotEmpty();
            makeImmutable(locked);
            try {
                for (Path p : locked) { // the fault is there: not even root may write the file now
                    assertThatThrownBy(() -> Files.newByteChannel(p, StandardOpenOption.WRITE).close())
                            .as("opening %s for writing", p).isInstanceOf(FileSystemException.class);
                }
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
                assertThat(chattr("-i", locked)).as("chattr -i").isNull();
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

    /**
     * chattr +i. Only root (CAP_LINUX_IMMUTABLE) may set the attribute: for anyone else the test is
     * reported skipped with that reason (the README lists it); as root, a filesystem without the
     * attribute fails the test, since then the fault cannot be made.
     */
    private static void makeImmutable(List<Path> files) throws Exception {
        String output = chattr("+i", files);
        if (output == null) {
            return;
        }
        Assumptions.assumeTrue(isRoot(), "chattr +i needs root (CAP_LINUX_IMMUTABLE): " + output);
        throw new AssertionError("chattr +i failed on " + files + " (target/ must be on a filesystem with the immutable"
                + " attribute: ext4, xfs, btrfs, tmpfs): " + output);
    }

    private static boolean isRoot() throws Exception {
        return "0".equals(run(List.of("id", "-u")).output().strip());
    }

    /** Runs chattr; null when it succeeded, else its output. */
    private static String chattr(String flag, List<Path> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("chattr", flag));
        files.forEach(f -> command.add(f.toString()));
        Result result = run(command);
        return result.exit() == 0 ? null : result.output();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return new Result(-1, command.get(0) + " cannot be run: " + e.getMessage());
        }
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as(command + " returns").isTrue();
        return new Result(p.exitValue(), output);
    }
}
