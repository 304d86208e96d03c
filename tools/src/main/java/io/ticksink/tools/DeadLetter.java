package io.ticksink.tools;

import io.ticksink.schema.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of the dead-letter topic as the consumer wrote it: where it sits in the dead-letter
 * topic, the reason and the coordinates of the ticks record it came from, and that record's own
 * key, value and headers (the dead-letter headers taken off). Immutable; built by {@link #of}.
 *
 * @param partition its partition in the dead-letter topic
 * @param offset its offset in the dead-letter topic
 * @param time its timestamp in the dead-letter topic: when it was dead-lettered
 * @param headers the original record's own headers, in their order
 */
record DeadLetter(String dlqTopic, int partition, long offset, long time, String reason, String sourceTopic,
                  int sourcePartition, long sourceOffset, byte[] key, byte[] value, List<Header> headers) {

    static final String REASON = DeadLetterHeaders.REASON;
    static final String DETAIL = DeadLetterHeaders.DETAIL;
    static final String SOURCE_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    static final String SOURCE_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    static final String SOURCE_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;
    static final String SOURCE_TIMESTAMP = DeadLetterHeaders.SOURCE_TIMESTAMP;
    /** The headers the consumer appends to a rejected record, in the order it appends them. */
    static final List<String> ADDED_BY_THE_CONSUMER = DeadLetterHeaders.ALL;

    /** On a redriven record: the dead letter it was sent from, {@code <dlq-topic>-<partition>@<offset>}. */
    static final String REDRIVEN_FROM = "ticksink.redrive.dead-letter";
    /** On a redriven record: the record first rejected, {@code <topic>-<partition>@<offset>}. */
    static final String REDRIVEN_SOURCE = "ticksink.redrive.source";

    DeadLetter {
        headers = List.copyOf(headers);
    }

    /**
     * The dead letter a record of the dead-letter topic holds, or empty when it lacks the reason or
     * the source coordinates (not written by ticksink, or damaged): such records are never redriven.
     * The last header of each name the consumer appends is taken off; an earlier header of the same
     * name belongs to the original record and stays, as does every other header.
     */
    static Optional<DeadLetter> of(ConsumerRecord<byte[], byte[]> record) {
        List<Header> own = new ArrayList<>();
        record.headers().forEach(own::add);
        String[] added = new String[ADDED_BY_THE_CONSUMER.size()];
        for (int i = own.size() - 1; i >= 0; i--) {
            int which = ADDED_BY_THE_CONSUMER.indexOf(own.get(i).key());
            if (which >= 0 && added[which] == null) {
                Header header = own.remove(i);
                added[which] = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        String reason = added[0];
        String sourceTopic = added[2];
        if (reason == null || sourceTopic == null || sourceTopic.isEmpty()) {
            return Optional.empty();
        }
        try {
            int sourcePartition = Integer.parseInt(added[3]);
            long sourceOffset = Long.parseLong(added[4]);
            return Optional.of(new DeadLetter(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    reason, sourceTopic, sourcePartition, sourceOffset, record.key(), record.value(), own));
        } catch (NumberFormatException e) { // absent (null) or not a number
            return Optional.empty();
        }
    }

    /** {@code <dlq-topic>-<partition>@<offset>}, the notation of the logs and the redrive header. */
    String coordinates() {
        return dlqTopic + "-" + partition + "@" + offset;
    }

    /** {@code <topic>-<partition>@<offset>} of the record first rejected. */
    String sourceCoordinates() {
        return sourceTopic + "-" + sourcePartition + "@" + sourceOffset;
    }

    /**
     * The record to publish again to {@code topic}: the original key, value and headers, plus the
     * two redrive headers (replacing those of an earlier redrive of the same record). No partition
     * and no timestamp: the producer partitions by key, as the upstream producers do, and stamps
     * the time of the redrive.
     */
    ProducerRecord<byte[], byte[]> redriveTo(String topic) {
        RecordHeaders out = new RecordHeaders();
        for (Header header : headers) {
            if (!header.key().equals(REDRIVEN_FROM) && !header.key().equals(REDRIVEN_SOURCE)) {
                out.add(header);
            }
        }
        out.add(new RecordHeader(REDRIVEN_FROM, coordinates().getBytes(StandardCharsets.UTF_8)));
        out.add(new RecordHeader(REDRIVEN_SOURCE, sourceCoordinates().getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, null, key, value, out);
    }

    /** The key for a listing: its UTF-8 text with control characters shown as '?', or {@code -} when absent. */
    String printableKey() {
        if (key == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        new String(key, StandardCharsets.UTF_8).codePoints()
                .forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
