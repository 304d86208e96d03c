package io.ticksink.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes rejected records to the dead-letter topic with their original key, value and headers,
 * plus headers naming the reason and the source coordinates. {@link #publish} says which of them
 * are durable, so that the offsets covering them may be committed once all are.
 *
 * <p>Not thread safe: used by the writer thread only.
 */
public final class DeadLetters {

    public static final String REASON = "ticksink.reject.reason";
    public static final String DETAIL = "ticksink.reject.detail";
    public static final String SOURCE_TOPIC = "ticksink.source.topic";
    public static final String SOURCE_PARTITION = "ticksink.source.partition";
    public static final String SOURCE_OFFSET = "ticksink.source.offset";
    public static final String SOURCE_TIMESTAMP = "ticksink.source.timestamp";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final long sendTimeoutMillis;
    private long sinceLastLog;
    private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    public DeadLetters(Producer<byte[], byte[]> producer, String topic, long sendTimeoutMillis) {
        this.producer = producer;
        this.topic = topic;
        this.sendTimeoutMillis = sendTimeoutMillis;
    }

    /** A dead-letter send that failed; nothing is committed until it succeeds on a retry. */
    public static final class PublishException extends Exception {
        private static final long serialVersionUID = 1L;

        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What one {@link #publish} achieved. {@code durable}: now durable as dead letters;
     * {@code failed}: not durable yet, to be sent again by a later attempt; {@code failure}: why
     * the first of them failed, or null when {@code failed} is empty.
     */
    public record Published(List<DecodedBatch.Rejected> durable, List<DecodedBatch.Rejected> failed,
                            PublishException failure) {
    }

    /** Sends the given rejects and waits for the broker's acknowledgement of each. Never changes the given list. */
    public Published publish(List<DecodedBatch.Rejected> rejects) throws InterruptedException {
        if (rejects.isEmpty()) {
            return new Published(List.of(), List.of(), null);
        }
        List<Future<RecordMetadata>> sends = new ArrayList<>(rejects.size());
        for (DecodedBatch.Rejected rejected : rejects) {
            sends.add(producer.send(deadLetter(rejected)));
        }
        producer.flush();
        PublishException failure = null;
        List<DecodedBatch.Rejected> durable = new ArrayList<>();
        List<DecodedBatch.Rejected> failed = new ArrayList<>();
        for (int i = 0; i < sends.size(); i++) {
            try {
                sends.get(i).get(sendTimeoutMillis, TimeUnit.MILLISECONDS);
                durable.add(rejects.get(i));
            } catch (ExecutionException | TimeoutException e) {
                failed.add(rejects.get(i));
                if (failure == null) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    failure = new PublishException("cannot publish to dead-letter topic " + topic + ": " + cause, cause);
                }
            }
        }
        logSampled(rejects, durable.size());
        return new Published(durable, failed, failure);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(DecodedBatch.Rejected rejected) {
        ConsumerRecord<byte[], byte[]> source = rejected.record();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : source.headers()) {
            headers.add(header);
        }
        headers.add(REASON, utf8(rejected.reason()));
        headers.add(DETAIL, utf8(rejected.detail()));
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        headers.add(SOURCE_TIMESTAMP, utf8(Long.toString(source.timestamp())));
        return new ProducerRecord<>(topic, null, source.key(), source.value(), headers);
    }

    /** One line per ten seconds at most, however many records are rejected. */
    private void logSampled(List<DecodedBatch.Rejected> sent, int acknowledged) {
        sinceLastLog += acknowledged;
        long now = System.nanoTime();
        if (acknowledged > 0 && now - lastLogNanos >= LOG_EVERY_NANOS) {
            DecodedBatch.Rejected example = sent.get(0);
            log.warn("{} record(s) sent to dead-letter topic {} since the last report; e.g. {}-{}@{}: {} ({})",
                    sinceLastLog, topic, example.record().topic(), example.record().partition(),
                    example.record().offset(), example.reason(), example.detail());
            sinceLastLog = 0;
            lastLogNanos = now;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
