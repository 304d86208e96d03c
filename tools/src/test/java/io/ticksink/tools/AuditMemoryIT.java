package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's memory does not grow with the records audited: it audits {@value #RECORDS} records
 * in a child JVM whose whole heap ({@value #HEAP_MB} MB) is smaller than the bare list of their
 * offsets (8 bytes each: 25.6 MB), let alone a set of them. A per-record structure fails with an
 * OutOfMemoryError; nothing here depends on timing.
 */
class AuditMemoryIT {

    private static final int RECORDS = 3_200_000;
    private static final int HEAP_MB = 24;
    private static final Instant FIRST_TICK = Instant.parse("2026-02-20T12:00:00Z");

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    private Process child;

    @AfterEach
    void killChild() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void auditingMillionsOfRecordsFitsInAHeapSmallerThanTheirOffsets() throws Exception {
        assertThat((long) RECORDS * Long.BYTES).isGreaterThanOrEqualTo(HEAP_MB * 1024L * 1024L);
        String topic = kafka.createTopic("audit-memory", 1);
        publish(topic);
        Path dataDir = work.resolve("data");
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        assertThat(stored.tickCount()).isEqualTo(RECORDS);
        // the ticks span two days, so two day files are merged with the topic
        assertThat(stored.ticksPerDay()).hasSize(2);

        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.sqlite.tmpdir=" + work, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "audit", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--data-dir", dataDir.toString()));
        child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("audit finished").isTrue();

        assertThat(child.exitValue()).as(Files.readString(err)).isZero();
        assertThat(Files.readAllLines(out)).contains("TOTAL      " + topic + "  " + RECORDS + " audited: " + RECORDS
                + " stored once, 0 dead-lettered, 0 missing, 0 duplicated, 0 misplaced, 0 unexpected");
    }

    /** Ticks 30 ms apart from noon: 3.2M of them reach into the next day. */
    private void publish(String topic) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = "EURUSD".getBytes(StandardCharsets.UTF_8);
            long start = FIRST_TICK.toEpochMilli();
            for (int i = 0; i < RECORDS; i++) {
                String value = "{\"symbol\":\"EURUSD\",\"timestamp\":" + (start + 30L * i) + ",\"bid\":1.1,\"ask\":1.2}";
                producer.send(new ProducerRecord<>(topic, 0, key, value.getBytes(StandardCharsets.UTF_8)), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        assertThat(failure.get()).isNull();
    }
}
