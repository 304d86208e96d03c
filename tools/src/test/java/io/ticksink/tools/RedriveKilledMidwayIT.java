package io.ticksink.tools;

import static io.ticksink.tools.DeadLetterFixtures.header;
import static io.ticksink.tools.DeadLetterFixtures.publish;
import static io.ticksink.tools.DeadLetterFixtures.readAll;
import static io.ticksink.tools.DeadLetterFixtures.reject;
import static io.ticksink.tools.DeadLetterFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.cli.ExitCodes;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redrive in a child JVM killed (SIGKILL) or fenced in the middle of a transaction, with
 * transactions committed before it: the next run sends every chosen dead letter that is not yet
 * sent, and the ticks topic read {@code read_committed} holds each exactly once.
 */
class RedriveKilledMidwayIT {

    private static final int DEAD_LETTERS = 300;
    private static final int PER_TRANSACTION = 25;
    private static final int HELD_TRANSACTION = 5;

    @KafkaBroker
    KafkaTestCluster kafka;
    private final List<Process> children = new ArrayList<>();

    @TempDir
    Path work;

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRedriveKilledInTheMiddleOfATransactionAndRunAgainSendsEveryDeadLetterExactlyOnce() throws Exception {
        String ticks = kafka.createTopic("redrive-kill-ticks", 3);
        String dlq = kafka.createTopic("redrive-kill-dlq", 2);
        publishDeadLetters(ticks, dlq);

        Process held = startHeld(dlq, "held-1");
        awaitHold(held, "held-1");
        assertThat(readAll(kafka, ticks, true)).as("committed before the kill: the transactions before the held one")
                .hasSize((HELD_TRANSACTION - 1) * PER_TRANSACTION);
        assertThat(readAll(kafka, ticks, false)).as("the held transaction's records are in the log, not committed")
                .hasSize(HELD_TRANSACTION * PER_TRANSACTION);
        held.destroyForcibly(); // SIGKILL: its open transaction stays open
        assertThat(held.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Cli.Run rerun = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--transaction-size", Integer.toString(PER_TRANSACTION));

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        int before = (HELD_TRANSACTION - 1) * PER_TRANSACTION;
        assertThat(rerun.out()).contains(DEAD_LETTERS + " dead letters read: " + (DEAD_LETTERS - before) + " sent in ",
                before + " already sent before");
        assertEachDeadLetterOnce(ticks, dlq);
    }

    @Test
    void aSecondRedriveFencesOneStillRunningWhichThenFailsWithoutSendingAnythingTwice() throws Exception {
        String ticks = kafka.createTopic("redrive-fence-ticks", 3);
        String dlq = kafka.createTopic("redrive-fence-dlq", 2);
        publishDeadLetters(ticks, dlq);
        Process first = startHeld(dlq, "held-2");
        awaitHold(first, "held-2");

        Cli.Run second = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--transaction-size", Integer.toString(PER_TRANSACTION));
        assertThat(second.exitCode()).as(second.err()).isZero();
        try (OutputStream in = first.getOutputStream()) {
            in.write("go on\n".getBytes(StandardCharsets.UTF_8)); // let the first one try to commit
        }

        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String firstErr = Files.readString(work.resolve("held-2.err"));
        assertThat(first.exitValue()).as(firstErr).isEqualTo(ExitCodes.PROBLEM);
        assertThat(firstErr).contains("fenced");
        assertEachDeadLetterOnce(ticks, dlq);
    }

    private void publishDeadLetters(String ticks, String dlq) {
        publish(kafka, dlq, IntStream.range(0, DEAD_LETTERS).mapToObj(i -> reject(ticks, i % 3, i, "BAD_TIMESTAMP")).toList(),
                2, true);
    }

    private Process startHeld(String dlq, String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                HeldRedrive.class.getName(), Integer.toString(HELD_TRANSACTION), work.resolve(name + ".held").toString(),
                "redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--transaction-size", Integer.toString(PER_TRANSACTION));
        builder.redirectOutput(work.resolve(name + ".out").toFile()).redirectError(work.resolve(name + ".err").toFile());
        Process process = builder.start();
        children.add(process);
        return process;
    }

    private void awaitHold(Process process, String name) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the held redrive exited with " + process.exitValue() + ": "
                        + Files.readString(work.resolve(name + ".err")));
            }
            return Files.exists(work.resolve(name + ".held"));
        });
    }

    /** The ticks topic, read_committed, holds every dead letter exactly once, with its key and value. */
    private void assertEachDeadLetterOnce(String ticks, String dlq) {
        List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka, ticks, true);
        assertThat(records.stream().map(r -> header(r, DeadLetter.REDRIVEN_SOURCE)).toList())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, DEAD_LETTERS)
                        .mapToObj(i -> ticks + "-" + (i % 3) + "@" + i).toList());
        assertThat(records.stream().map(r -> header(r, DeadLetter.REDRIVEN_FROM)).distinct()).hasSize(DEAD_LETTERS)
                .allMatch(from -> from.startsWith(dlq + "-"));
        assertThat(records).allMatch(r -> utf8(r.key()).equals("SYM" + header(r, DeadLetter.REDRIVEN_SOURCE)
                .replaceAll(".*-(\\d+)@(\\d+)$", "$1-$2")));
    }
}
