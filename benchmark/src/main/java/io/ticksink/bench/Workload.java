package io.ticksink.bench;

import io.ticksink.consumer.SyntheticTicks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Publishes synthetic symbol-keyed ticks of one UTC day, as fast as possible or at a steady rate. */
final class Workload {

    static final Instant DAY_START = Instant.parse("2026-01-19T00:00:00Z");

    private Workload() {
    }

    static SyntheticTicks ticks(long count, int symbols, long seed) {
        long step = Duration.ofHours(20).toNanos() / Math.max(count, 1); // stays inside one UTC day
        return new SyntheticTicks(seed, symbols, DAY_START.plus(Duration.ofHours(1)), step);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code count} ticks as fast as the producer takes them. */
    static void preload(String bootstrap, String topic, long count, int symbols) {
        SyntheticTicks ticks = ticks(count, symbols, 7);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 20)) {
            for (long i = 0; i < count; i++) {
                byte[] key = ticks.nextSymbol().getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, ticks.next().getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Sends ticks at {@code perSecond} for {@code duration}, paced in 1 ms slices; returns how many. */
    static long steady(String bootstrap, String topic, int perSecond, Duration duration, int symbols)
            throws InterruptedException {
        SyntheticTicks ticks = ticks(perSecond * duration.toSeconds(), symbols, 11);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 1)) {
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                long due = (long) ((now - start) / 1e9 * perSecond);
                while (sent < due) {
                    byte[] key = ticks.nextSymbol().getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, key, ticks.next().getBytes(StandardCharsets.UTF_8)));
                    sent++;
                }
                Thread.sleep(1);
            }
            producer.flush();
        }
        return sent;
    }
}
