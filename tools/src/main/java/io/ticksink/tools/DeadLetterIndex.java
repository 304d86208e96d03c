package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ticksink.schema.DeadLetterHeaders;
import io.ticksink.schema.PositionIndex;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Where the consumer's dead letters of one topic are: read from the dead-letter topic (as
 * committed: {@code read_committed}) and from the local rejects files of the data dirs (records
 * the dead-letter topic refused for good), into a {@link PositionIndex} keyed by the source
 * partition's stream name and offset, so they can be read back in offset order with flat memory.
 *
 * <p>Each entry carries the {@link RecordDigest} of the dead letter's key and value (the
 * original record's), so that the audit can tell it from a dead letter of another record at the
 * same coordinates.
 *
 * <p>A dead letter is known by the headers the consumer adds to it ({@link DeadLetterHeaders}).
 */
final class DeadLetterIndex {

    static final String SOURCE_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    static final String SOURCE_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    static final String SOURCE_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;

    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterIndex() {
    }

    /** What a read found: dead letters of the audited partitions added to the index, and entries that could not be read. */
    record Read(long added, long unreadable) {
    }

    /**
     * Adds the dead letters of {@code topic}'s {@code partitions} found in the dead-letter topic's
     * partitions {@code tps} (each from its beginning to its end as committed now) to {@code index}. Dead letters
     * without the source headers are skipped and counted as unreadable.
     *
     * @param consumer a {@code read_committed} consumer without a group, assigned nothing; closed here
     * @param progress called now and then with the number of dead-letter records read
     */
    static Read readTopic(Consumer<byte[], ByteBuffer> consumer, List<TopicPartition> tps, String topic, Set<Integer> partitions,
                          PositionIndex index, Duration timeout, java.util.function.LongConsumer progress)
            throws StoreException {
        try (consumer) {
            return read(consumer, tps, topic, partitions, index, timeout, progress);
        }
    }

    private static Read read(Consumer<byte[], ByteBuffer> consumer, List<TopicPartition> tps, String topic, Set<Integer> partitions,
                             PositionIndex index, Duration timeout, java.util.function.LongConsumer progress)
            throws StoreException {
        RecordDigest digest = new RecordDigest();
        long added = 0;
        long unreadable = 0;
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
        Map<TopicPartition, Long> remaining = new HashMap<>(end);
        long read = 0;
        long lastProgress = System.nanoTime();
        while (true) {
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            if (remaining.isEmpty()) {
                break;
            }
            var records = consumer.poll(Duration.ofMillis(200));
            if (records.isEmpty()) {
                if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                    throw new org.apache.kafka.common.errors.TimeoutException("no record of dead-letter topic "
                            + tps.get(0).topic() + " arrived for " + timeout.toSeconds() + " s before its end offsets " + end);
                }
                continue;
            }
            lastProgress = System.nanoTime();
            for (ConsumerRecord<byte[], ByteBuffer> r : records) {
                read++;
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() >= end.get(tp)) {
                    continue; // arrived after the audit began: not needed, the topic's range was fixed before
                }
                String sourceTopic = header(r, SOURCE_TOPIC);
                String partition = header(r, SOURCE_PARTITION);
                String offset = header(r, SOURCE_OFFSET);
                if (sourceTopic == null || partition == null || offset == null) {
                    unreadable++;
                    continue;
                }
                if (!sourceTopic.equals(topic)) {
                    continue;
                }
                try {
                    int p = Integer.parseInt(partition);
                    if (partitions.contains(p)) {
                        index.add(StreamChunk.kafkaStream(topic, p), Long.parseLong(offset),
                                "dead-letter " + r.topic() + "-" + r.partition() + "@" + r.offset(), digest.of(r.key(), r.value()));
                        added++;
                    }
                } catch (NumberFormatException e) {
                    unreadable++;
                }
            }
            progress.accept(read);
        }
        return new Read(added, unreadable);
    }

    /**
     * Adds the records of {@code topic}'s {@code partitions} in the rejects files of a data dir
     * ({@code <data-dir>/rejects/rejects-*.jsonl}: records the dead-letter topic refused for good,
     * which the consumer counts as dead-lettered). A line that does not parse (the last one of a
     * consumer killed while writing it, whose record was not committed) is counted as unreadable.
     */
    static Read readRejectsFiles(Path dataDir, String topic, Set<Integer> partitions, PositionIndex index)
            throws IOException, StoreException {
        Path dir = dataDir.resolve("rejects");
        if (!Files.isDirectory(dir)) {
            return new Read(0, 0);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().matches("rejects-.*\\.jsonl")).sorted().toList();
        }
        RecordDigest digest = new RecordDigest();
        long added = 0;
        long unreadable = 0;
        for (Path file : files) {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    Line l = parse(line);
                    if (l == null) {
                        unreadable++;
                        continue;
                    }
                    if (l.topic().equals(topic) && partitions.contains(l.partition())) {
                        index.add(StreamChunk.kafkaStream(topic, l.partition()), l.offset(), "rejects file " + file + ":" + number,
                                digest.of(l.key(), l.value() == null ? null : ByteBuffer.wrap(l.value())));
                        added++;
                    }
                }
            }
        }
        return new Read(added, unreadable);
    }

    /** What the audit needs of a rejects file line: the source coordinates, key and value. */
    private record Line(String topic, int partition, long offset, byte[] key, byte[] value) {
    }

    /** A rejects file line, or null when it does not parse or lacks the source coordinates. */
    private static Line parse(String line) {
        String topic = null;
        Integer partition = null;
        Long offset = null;
        byte[] key = null;
        byte[] value = null;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                switch (field) {
                    case "topic" -> topic = token == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "partition" -> partition = token == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : null;
                    case "offset" -> offset = token == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
                    case "key" -> key = token == JsonToken.VALUE_STRING ? Base64.getDecoder().decode(p.getText()) : null;
                    case "value" -> value = token == JsonToken.VALUE_STRING ? Base64.getDecoder().decode(p.getText()) : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return topic == null || partition == null || offset == null ? null : new Line(topic, partition, offset, key, value);
    }

    private static String header(ConsumerRecord<byte[], ByteBuffer> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
