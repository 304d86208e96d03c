package io.ticksink.bench;

import io.ticksink.consumer.load.SyntheticTicks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Publishes synthetic symbol-keyed ticks, as fast as possible or at a steady rate. */
final class Workload {

    static final Instant DAY_START = Instant.parse("2026-01-19T00:00:00Z");

    private Workload() {
    }

    static SyntheticTicks ticks(long count, int symbols, long seed) {
        return ticks(count, symbols, seed, DAY_START);
    }

    /** Ticks spread over 20 hours of the UTC day starting at {@code day}. */
    static SyntheticTicks ticks(long count, int symbols, long seed, Instant day) {
        long step = Duration.ofHours(20).toNanos() / Math.max(count, 1); // stays inside one UTC day
        return new SyntheticTicks(seed, symbols, day.plus(Duration.ofHours(1)), step);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs, String compression) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends {@code warmup} ticks of the day before {@link #DAY_START}, then {@code count} ticks of
     * that day, as fast as the producer takes them: in every partition the warm-up ticks come first.
     */
    static void preload(String bootstrap, String topic, long warmup, long count, int symbols, String compression) {
        preload(bootstrap, topic, warmup, count, symbols, compression, 0);
    }

    /** As {@link #preload}, with a record that is not JSON after every {@code rejectEvery} ticks (none when 0). */
    static void preload(String bootstrap, String topic, long warmup, long count, int symbols, String compression,
                        int rejectEvery) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 20, compression)) {
            send(producer, topic, ticks(warmup, symbols, 5, DAY_START.minus(Duration.ofDays(1))), warmup, rejectEvery);
            send(producer, topic, ticks(count, symbols, 7), count, rejectEvery);
            producer.flush();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, SyntheticTicks ticks, long count,
                             int rejectEvery) {
        for (long i = 0; i < count; i++) {
            byte[] key = ticks.nextSymbol().getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, key, ticks.next().getBytes(StandardCharsets.UTF_8)));
            if (rejectEvery > 0 && i % rejectEvery == rejectEvery - 1) {
                producer.send(new ProducerRecord<>(topic, key, ("not json " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Sends ticks at {@code perSecond} for {@code duration}, paced in 1 ms slices; returns how many. */
    static long steady(String bootstrap, String topic, int perSecond, Duration duration, int symbols,
                       String compression) throws InterruptedException {
        SyntheticTicks ticks = ticks(perSecond * duration.toSeconds(), symbols, 11);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 1, compression)) {
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
