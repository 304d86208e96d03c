package io.ticksink.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes rejected records durable as dead letters: published to the dead-letter topic with their
 * original key, value and headers, plus headers naming the reason and the source coordinates; or,
 * when the topic refuses a record for good (too large for it, not authorized, an invalid topic, a
 * record it rejects as invalid), appended to the local {@link RejectsFile} instead, so bad input
 * never stops the stream and nothing is lost.
 *
 * <p>{@link #publish} is bounded: it gives up on what the topic did not acknowledge within the
 * dead-letter timeout and reports it as failed, for the caller to send again after a backoff. It
 * counts every record it made durable in {@link ConsumerMetrics#deadLettered} with where it went;
 * callers do not count them again.
 *
 * <p>Not thread safe: owned by the writer thread, the only caller of {@link #publish}.
 */
public final class DeadLetters {

    public static final String REASON = "ticksink.reject.reason";
    public static final String DETAIL = "ticksink.reject.detail";
    public static final String SOURCE_TOPIC = "ticksink.source.topic";
    public static final String SOURCE_PARTITION = "ticksink.source.partition";
    public static final String SOURCE_OFFSET = "ticksink.source.offset";
    public static final String SOURCE_TIMESTAMP = "ticksink.source.timestamp";

    /** Label values of {@link ConsumerMetrics#deadLettered}: where a dead letter went. */
    static final String TO_TOPIC = "topic";
    static final String TO_REJECTS_FILE = "rejects-file";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final long timeoutNanos;
    private final RejectsFile rejectsFile;
    private final ConsumerMetrics metrics;
    /** Per kind of outcome (sent, refused for good, not acknowledged): records since its last log line, and when that was. */
    private final Map<String, long[]> sampledLogs = new HashMap<>();

    /**
     * @param timeout the longest one {@link #publish} waits for the topic's acknowledgements
     * @param rejectsDir where the local rejects files go ({@code <data-dir>/rejects})
     */
    public DeadLetters(Producer<byte[], byte[]> producer, String topic, Duration timeout, Path rejectsDir,
                       ConsumerMetrics metrics) {
        this(producer, topic, timeout, new RejectsFile(rejectsDir), metrics);
    }

    DeadLetters(Producer<byte[], byte[]> producer, String topic, Duration timeout, RejectsFile rejectsFile,
                ConsumerMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.timeoutNanos = timeout.toNanos();
        this.rejectsFile = rejectsFile;
        this.metrics = metrics;
    }

    /**
     * A dead-letter send that failed and may succeed later (the topic did not answer in time, a
     * broker is down, the rejects file could not be written): nothing is committed over it until a
     * later attempt makes it durable.
     */
    public static final class PublishException extends Exception {
        private static final long serialVersionUID = 1L;

        PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What one publish achieved. durable: now durable as dead letters (acknowledged by the topic,
     * or written to the local rejects file because the topic refused them for good); failed: not
     * durable yet, to be sent again by a later attempt; failure: why the first of them failed, or
     * null when failed is empty.
     */
    public record Published(List<DecodedBatch.Rejected> durable, List<DecodedBatch.Rejected> failed,
                            PublishException failure) {
        public Published {
            durable = List.copyOf(durable);
            failed = List.copyOf(failed);
        }
    }

    /**
     * Sends the given rejects and waits, bounded, for each to become durable. Never changes the
     * given list. Thread: called from the writer thread only.
     *
     * <p>Returns within about the dead-letter timeout (one send blocked on the producer's
     * {@code max.block.ms} may add that much once): what the topic acknowledged or refused for good
     * (then written to the rejects file) is durable; the rest is failed. After the first send that
     * fails for a reason not tied to its record (no metadata for the topic, a full buffer), the
     * remaining rejects are not sent in this attempt, so a missing topic costs one wait, not one
     * per record. Records may reach the topic twice over retries (at least once). What became
     * durable is counted here, in {@link ConsumerMetrics#deadLettered}; the caller does not count it.
     *
     * @throws InterruptedException if the writer thread is interrupted; nothing of this attempt counts
     */
    public Published publish(List<DecodedBatch.Rejected> rejects) throws InterruptedException {
        if (rejects.isEmpty()) {
            return new Published(List.of(), List.of(), null);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        List<Future<RecordMetadata>> sends = new ArrayList<>(rejects.size());
        for (DecodedBatch.Rejected rejected : rejects) {
            Future<RecordMetadata> send = System.nanoTime() - deadline >= 0 ? null : send(rejected);
            sends.add(send);
            if (send == null || failedNotForItsRecord(send)) {
                break; // the rest would wait for the same thing
            }
        }
        List<DecodedBatch.Rejected> acknowledged = new ArrayList<>();
        List<RejectsFile.Entry> refused = new ArrayList<>();
        List<DecodedBatch.Rejected> failed = new ArrayList<>();
        Throwable firstFailure = null;
        for (int i = 0; i < rejects.size(); i++) {
            DecodedBatch.Rejected rejected = rejects.get(i);
            Throwable error = i < sends.size() && sends.get(i) != null ? await(sends.get(i), deadline, timeoutNanos)
                    : new TimeoutException("not sent: an earlier dead letter of this attempt failed or the "
                            + Duration.ofNanos(timeoutNanos).toMillis() + " ms bound passed");
            if (error == null) {
                acknowledged.add(rejected);
            } else if (isPermanent(error)) {
                refused.add(new RejectsFile.Entry(rejected, topic, error));
            } else {
                failed.add(rejected);
                firstFailure = firstFailure == null ? error : firstFailure;
            }
        }
        List<DecodedBatch.Rejected> durable = new ArrayList<>(acknowledged);
        count(acknowledged, TO_TOPIC);
        if (!acknowledged.isEmpty()) {
            logSampled("sent", acknowledged, "sent to dead-letter topic " + topic, null);
        }
        if (!refused.isEmpty()) {
            List<DecodedBatch.Rejected> written = refused.stream().map(RejectsFile.Entry::rejected).toList();
            try {
                Path file = rejectsFile.append(refused);
                durable.addAll(written);
                count(written, TO_REJECTS_FILE);
                Map<Class<?>, List<RejectsFile.Entry>> byKind = new LinkedHashMap<>();
                refused.forEach(e -> byKind.computeIfAbsent(e.refusal().getClass(), k -> new ArrayList<>()).add(e));
                byKind.forEach((kind, entries) -> logSampled("refused:" + kind.getName(),
                        entries.stream().map(RejectsFile.Entry::rejected).toList(),
                        "refused for good by dead-letter topic " + topic + " and written to " + file + " instead",
                        RejectsFile.describe(entries.get(0).refusal())));
            } catch (IOException e) {
                failed.addAll(written);
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        PublishException failure = null;
        if (!failed.isEmpty()) {
            String message = firstFailure instanceof IOException
                    ? "cannot write refused dead letters to the rejects file " + rejectsFile.current() + ": " + firstFailure
                    : "dead-letter topic " + topic + " did not take " + failed.size() + " of " + rejects.size()
                            + " record(s) within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms: "
                            + RejectsFile.describe(firstFailure);
            failure = new PublishException(message, firstFailure);
            logSampled("failed:" + firstFailure.getClass().getName(), failed, "not durable yet, sent again after a backoff",
                    message);
        }
        return new Published(durable, failed, failure);
    }

    /** The producer's future for one dead letter; an error the producer throws at once becomes a failed future. */
    private Future<RecordMetadata> send(DecodedBatch.Rejected rejected) {
        try {
            return producer.send(deadLetter(rejected));
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whether a send already failed, for a reason that is not about its own record (its send blocked, then gave up). */
    private static boolean failedNotForItsRecord(Future<RecordMetadata> send) {
        if (!send.isDone()) {
            return false;
        }
        try {
            send.get();
            return false;
        } catch (ExecutionException e) {
            return !isPermanent(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // not reached: the future is done
            return true;
        }
    }

    /** Waits for one send until the deadline: the error it ended with, or null when acknowledged. */
    private static Throwable await(Future<RecordMetadata> send, long deadline, long timeoutNanos)
            throws InterruptedException {
        try {
            send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return new TimeoutException("no acknowledgement within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
        }
    }

    /**
     * Whether the topic refuses this record for good: retrying cannot make it take it, so it goes to
     * the rejects file. Everything else (timeouts, leader changes, brokers down) is worth retrying.
     */
    static boolean isPermanent(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof TopicAuthorizationException || error instanceof InvalidTopicException
                || error instanceof InvalidRecordException;
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

    private void count(List<DecodedBatch.Rejected> durable, String destination) {
        for (DecodedBatch.Rejected rejected : durable) {
            metrics.deadLettered(rejected.reason(), destination);
        }
    }

    /** One line per kind of outcome per ten seconds at most, however many records there are. */
    private void logSampled(String kind, List<DecodedBatch.Rejected> records, String what, String why) {
        long[] state = sampledLogs.computeIfAbsent(kind, k -> new long[] {0, System.nanoTime() - LOG_EVERY_NANOS});
        state[0] += records.size();
        long now = System.nanoTime();
        if (now - state[1] < LOG_EVERY_NANOS) {
            return;
        }
        DecodedBatch.Rejected example = records.get(0);
        ConsumerRecord<byte[], byte[]> r = example.record();
        if (why == null) {
            log.warn("{} record(s) {} (count since the last such line); e.g. {}-{}@{}: {} ({})", state[0], what,
                    r.topic(), r.partition(), r.offset(), example.reason(), example.detail());
        } else {
            log.warn("{} record(s) {} (count since the last such line); e.g. {}-{}@{} ({}): {}", state[0], what,
                    r.topic(), r.partition(), r.offset(), example.reason(), why);
        }
        state[0] = 0;
        state[1] = now;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
