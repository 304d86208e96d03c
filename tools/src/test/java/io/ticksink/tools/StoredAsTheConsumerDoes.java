package io.ticksink.tools;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.RecordDecoder;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Stores a topic the way the consumer does, through the schema's API: records read as committed,
 * decoded by the schema's {@link RecordDecoder}, each tick written to the day file of its UTC day
 * as a chunk of its partition's stream ({@code kafka:<topic>:<partition>}) with the topic's id as
 * the incarnation; each record that does not decode sent to the dead-letter topic with the
 * consumer's source headers (the consumer's {@code DeadLetters} format). The tools module cannot
 * run the consumer itself, which it does not depend on.
 */
final class StoredAsTheConsumerDoes {

    private static final StoreOptions OPTIONS = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
    private static final int BATCH = 50_000;

    private StoredAsTheConsumerDoes() {
    }

    /** What was stored: the number of ticks of each day, and every record that went to the dead letters. */
    record Stored(Map<LocalDate, Long> ticksPerDay, List<ConsumerRecord<byte[], ByteBuffer>> rejects) {
        long tickCount() {
            return ticksPerDay.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Stores every committed record of {@code topic} into {@code dataDir}; the rejects go to
     * {@code dlqTopic} unless {@code keepOutOfDlq} names their offset in partition 0 (a reject lost).
     */
    static Stored store(String bootstrap, String topic, Path dataDir, String dlqTopic, long... keepOutOfDlq) throws Exception {
        String topicId = topicId(bootstrap, topic);
        RecordDecoder decoder = new RecordDecoder(new TickDecoder());
        Map<LocalDate, Long> ticks = new TreeMap<>();
        List<ConsumerRecord<byte[], ByteBuffer>> rejects = new ArrayList<>();
        // day -> partition -> chunk of the batch in hand
        Map<LocalDate, Map<Integer, StreamChunk>> batch = new TreeMap<>();
        int inBatch = 0;
        try (KafkaConsumer<byte[], ByteBuffer> consumer = readCommitted(bootstrap)) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], ByteBuffer> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        Tick tick = decoder.decode(r.value(), r.key());
                        LocalDate day = DayFiles.day(tick.timestampMillis());
                        batch.computeIfAbsent(day, d -> new HashMap<>())
                                .computeIfAbsent(r.partition(), p -> new StreamChunk(StreamChunk.kafkaStream(topic, p), topicId, 256))
                                .add(r.offset(), tick);
                        ticks.merge(day, 1L, Long::sum);
                        if (++inBatch == BATCH) {
                            write(dataDir, batch);
                            inBatch = 0;
                        }
                    } catch (TickRejectedException e) {
                        rejects.add(r);
                    }
                }
            }
        }
        write(dataDir, batch);
        List<ConsumerRecord<byte[], ByteBuffer>> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], ByteBuffer> r : rejects) {
            boolean kept = r.partition() == 0 && java.util.Arrays.stream(keepOutOfDlq).anyMatch(o -> o == r.offset());
            if (!kept) {
                sent.add(r);
            }
        }
        deadLetter(bootstrap, dlqTopic, sent);
        return new Stored(ticks, rejects);
    }

    private static void write(Path dataDir, Map<LocalDate, Map<Integer, StreamChunk>> batch) throws Exception {
        for (Map.Entry<LocalDate, Map<Integer, StreamChunk>> day : batch.entrySet()) {
            try (DayDatabase db = DayDatabase.open(DayFiles.path(dataDir, day.getKey()), OPTIONS)) {
                db.write(day.getValue().values());
            }
        }
        batch.clear();
    }

    /** Sends records to the dead-letter topic as the consumer's DeadLetters does: original key, value, headers, plus the source's. */
    static void deadLetter(String bootstrap, String dlqTopic, List<ConsumerRecord<byte[], ByteBuffer>> records) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sends = new ArrayList<>();
            for (ConsumerRecord<byte[], ByteBuffer> r : records) {
                RecordHeaders headers = new RecordHeaders();
                r.headers().forEach(headers::add);
                headers.add("ticksink.reject.reason", utf8("NOT_JSON"));
                headers.add("ticksink.reject.detail", utf8("test"));
                headers.add("ticksink.source.topic", utf8(r.topic()));
                headers.add("ticksink.source.partition", utf8(Integer.toString(r.partition())));
                headers.add("ticksink.source.offset", utf8(Long.toString(r.offset())));
                headers.add("ticksink.source.timestamp", utf8(Long.toString(r.timestamp())));
                byte[] value = r.value() == null ? null : new byte[r.value().remaining()];
                if (value != null) {
                    r.value().duplicate().get(value);
                }
                sends.add(producer.send(new ProducerRecord<>(dlqTopic, null, r.key(), value, headers)));
            }
            for (Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
    }

    static String topicId(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId().toString();
        }
    }

    private static KafkaConsumer<byte[], ByteBuffer> readCommitted(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
