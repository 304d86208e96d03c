package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.consumer.load.LoadGenerator;
import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops while a consumer JVM consumes and the load generator publishes, and starts
 * again on the same port: the consumer reconnects and every tick lands exactly once. Runs on an
 * in-process broker, the only kind a test can stop (a second one when the shared broker is
 * external); the broker is running again when the test returns, whatever happened, since other
 * tests of this JVM share it.
 */
class BrokerRestartIT {

    private static final int PARTITIONS = 3;

    @KafkaBroker(stoppable = true)
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void aConsumerReconnectsAfterABrokerRestartAndStoresEveryTickExactlyOnce() throws Exception {
        EmbeddedKafka broker = kafka.embedded().orElseThrow();
        String topic = kafka.createTopic("broker-restart", PARTITIONS);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");

        try (BackgroundLoad load = BackgroundLoad.start("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--rate", "2000", "--symbols", "16", "--progress", "5s"); // until stopped
             ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers",
                     kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                     "--http-port", "-1", "--batch-size", "2000", "--kafka-property", "session.timeout.ms=10000",
                     "--kafka-property", "heartbeat.interval.ms=1000")) {
            awaitCommitted(group, topic, 3_000, consumer);
            long ackedBeforeStop;
            int logFrom = consumer.output().length();
            try {
                broker.stop();
                ackedBeforeStop = load.acked();
                await("the consumer notices the broker is gone").atMost(Duration.ofSeconds(60))
                        .until(() -> consumer.output().substring(logFrom).contains("could not be established"));
                assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
            } finally {
                broker.start();
            }
            long committedAtRestart = committed(group, topic);
            await("publishing resumes").atMost(Duration.ofSeconds(60)).until(() -> load.acked() > ackedBeforeStop + 2_000);
            awaitCommitted(group, topic, committedAtRestart + 3_000, consumer);

            LoadGenerator.Summary published = load.stop();
            assertThat(published.failed()).as(published.firstError()).isZero();
            Map<Integer, Long> end = kafka.endOffsets(topic, PARTITIONS);
            assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(published.acked());
            await("offsets committed up to " + end).atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                return kafka.committedOffsets(group, topic).equals(end);
            });
            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output()).isZero();

            List<String> produced = load.rows(published.acked());
            List<String> stored = StoredRows.of(dataDir);
            StoredRows.assertExactlyOnce(stored, produced);
            assertThat(StoredRows.countsBySymbol(stored)).isEqualTo(StoredRows.countsBySymbol(produced));
        }
    }

    private void awaitCommitted(String group, String topic, long atLeast, ConsumerProcess consumer) {
        await("the group commits " + atLeast + " ticks").atMost(Duration.ofSeconds(90)).until(() -> {
            assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
            return committed(group, topic) >= atLeast;
        });
    }

    private long committed(String group, String topic) {
        return kafka.committedOffsets(group, topic).values().stream().mapToLong(Long::longValue).sum();
    }
}
