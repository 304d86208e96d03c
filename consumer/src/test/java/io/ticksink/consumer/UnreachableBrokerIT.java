package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static io.ticksink.consumer.TestTicks.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer JVM whose Kafka does not answer: it logs one line of its own, naming the address and
 * how long, at a bounded rate; the Kafka client's connection warnings show but do not flood;
 * {@code /health/ready} answers 503 until the group is joined; the process waits instead of
 * exiting, and stores what was published once the broker is there.
 */
class UnreachableBrokerIT {

    @KafkaBroker
    KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path work;

    @Test
    void aConsumerPointedWhereNothingListensSaysSoInOneBoundedLineStaysUnreadyAndWaits() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        String address = "127.0.0.1:" + port;
        Path dataDir = work.resolve("data");

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers", address,
                "--topic", "nowhere", "--group-id", "g-nowhere", "--data-dir", dataDir.toString(), "--http-port", "0")) {
            int httpPort = consumer.httpPort();
            // ticksink's second report comes 30 s after its first: a window long enough for the
            // Kafka clients to retry a connection some 30 times each (about once a second)
            await("ticksink's second report").atMost(Duration.ofSeconds(120)).until(() -> {
                assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                return count(consumer.output(), ownLine(address)) >= 2;
            });
            String output = consumer.output();

            assertThat(consumer.isAlive()).as("the consumer waits for Kafka instead of exiting").isTrue();
            assertThat(output).as("the Kafka client's first connection warning is shown")
                    .contains("Connection to node -1 (/" + address + ") could not be established");
            long clientWarnings = count(output, Pattern.compile("could not be established"));
            // three clients (consumer, dead-letter producer, admin) each show their first warning
            // and then at most one a minute; unlimited they would log some 30 each in this window
            assertThat(clientWarnings).as("the Kafka client's connection warnings in 30+ s:\n%s", output).isBetween(1L, 9L);
            assertThat(count(output, ownLine(address))).as("ticksink's own lines in under 90 s").isBetween(2L, 3L);
            assertThat(output).containsPattern("cannot reach Kafka at " + Pattern.quote(address)
                    + " for \\d+s \\(.*\\); still retrying");

            HttpResponse<String> ready = get(httpPort, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("cannot reach Kafka at " + address);
            assertThat(get(httpPort, "/health/live").statusCode()).isEqualTo(200);

            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofSeconds(30))).as(consumer.output()).isZero();
        }
        assertThat(Files.exists(dataDir.resolve("2026"))).as("nothing was stored").isFalse();
    }

    @Test
    void aConsumerStartedDuringABrokerOutageBecomesReadyAndStoresTheTicksOnceTheBrokerIsBack(
            @KafkaBroker(stoppable = true) KafkaTestCluster stoppable) throws Exception {
        EmbeddedKafka broker = stoppable.embedded().orElseThrow();
        String topic = stoppable.createTopic("outage-at-start", 1);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        stoppable.produce(topic, List.of(record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                record("GBPUSD", "2026-01-19T10:00:01Z", 1.3, 1.4)));
        String address = stoppable.bootstrapServers();

        try {
            broker.stop();
            try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers", address,
                    "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "0")) {
                int httpPort = consumer.httpPort();
                await("ticksink's first report").atMost(Duration.ofSeconds(60)).until(() -> {
                    assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                    return count(consumer.output(), ownLine(address)) >= 1;
                });
                assertThat(get(httpPort, "/health/ready").statusCode()).isEqualTo(503);

                broker.start();
                await("ready once the group is joined").atMost(Duration.ofSeconds(90)).until(() -> {
                    assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                    return get(httpPort, "/health/ready").statusCode() == 200;
                });
                assertThat(consumer.output()).contains("Kafka at " + address + " answers again, after ");
                // a day file the consumer has just created may not hold its tables yet: read again then
                await("the ticks stored").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> StoredRows.of(dataDir).size() == 2);
                consumer.terminate();
                assertThat(consumer.waitFor(Duration.ofSeconds(40))).as(consumer.output()).isZero();
            }
        } finally {
            broker.start(); // the other tests of this JVM share it
        }
        assertThat(StoredRows.of(dataDir)).containsExactlyInAnyOrder(row("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                row("GBPUSD", "2026-01-19T10:00:01Z", 1.3, 1.4));
        assertThat(stoppable.committedOffsets(group, topic)).containsEntry(0, 2L);
    }

    private static Pattern ownLine(String address) {
        return Pattern.compile("BrokerWatch - cannot reach Kafka at " + Pattern.quote(address));
    }

    private static long count(String text, Pattern pattern) {
        return pattern.matcher(text).results().count();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
