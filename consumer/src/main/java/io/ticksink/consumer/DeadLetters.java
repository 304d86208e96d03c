package io.ticksink.consumer;

import io.ticksink.schema.DeadLetterHeaders;
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
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
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
 * <p>Exactly once: the dead letters of a batch are sent in one Kafka transaction together with the
 * offsets of the whole batch ({@code sendOffsetsToTransaction} with the member's group metadata).
 * A crash before that transaction commits leaves nothing a read_committed reader of the
 * dead-letter topic sees, and the batch is read again; once it commits, the batch's offsets are
 * committed with it and the batch is not read again. A member that was fenced out of its group
 * (frozen, then resumed after its partitions moved) cannot commit the transaction. The producer's
 * {@code transactional.id} is stable per member ({@link TransactionalIds}), so that a restarted
 * member aborts what its killed predecessor left open.
 *
 * <p>{@link #publish} is bounded: it gives up on what the topic did not acknowledge within the
 * dead-letter timeout and reports it as failed, for the caller to send again after a backoff. It
 * counts every record it made durable in {@link ConsumerMetrics#deadLettered} with where it went;
 * callers do not count them again.
 *
 * <p>Threads: {@link #prepare} is called on the consumer thread before it starts the consumer,
 * so before the writer thread is handed any batch. From then on the writer thread owns the
 * instance: it alone calls {@link #publish}, and it alone reads and changes the state between
 * transactions (an in-doubt commit, an abort to redo, one-by-one sends, the sampled log counts).
 * The one exception is {@link #member}, which the consumer thread calls after each poll while the
 * writer runs; it sets a volatile field that {@link #publish} reads. Not safe for other use by
 * two threads.
 */
public final class DeadLetters {

    public static final String REASON = DeadLetterHeaders.REASON;
    public static final String DETAIL = DeadLetterHeaders.DETAIL;
    public static final String SOURCE_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String SOURCE_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    public static final String SOURCE_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;
    public static final String SOURCE_TIMESTAMP = DeadLetterHeaders.SOURCE_TIMESTAMP;

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
    private final Faults faults = Faults.fromSystemProperty();
    /** The member's group metadata after the consumer's last poll: whose generation a transaction commits offsets in. */
    private volatile ConsumerGroupMetadata member;
    private boolean initialized;
    /** The dead letters of a transaction whose commit timed out: it is completed before anything else. */
    private List<DecodedBatch.Rejected> inDoubt;
    /** The last attempt saw a record refused as too large among others: the next sends each record alone. */
    private boolean oneByOne;
    /** The last abortTransaction failed: it is done again before the next transaction begins. */
    private boolean abortPending;

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
     * The dead-letter producer cannot go on: another process took over its transactional.id (a
     * copy of this data dir, or this member's successor), or the broker refuses transactions to it.
     */
    public static final class FencedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FencedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the producer's transactions before the consumer runs: fences a predecessor with the
     * same transactional.id and aborts what it left open. False when the broker did not answer
     * within the producer's max.block.ms; the first {@link #publish} then does it.
     *
     * @throws FencedException when the broker refuses transactions to this producer
     */
    public boolean prepare() {
        try {
            producer.initTransactions();
            initialized = true;
            return true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false;
        } catch (KafkaException e) {
            fenced(e);
            log.warn("starting the dead-letter producer's transactions: {}; done again with the first dead letters",
                    e.toString());
            return false;
        }
    }

    /** The member's group metadata, after each poll; from the consumer thread. */
    public void member(ConsumerGroupMetadata metadata) {
        this.member = metadata;
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
     * Sends the given rejects in one transaction with {@code offsets} (the whole batch's, whose ticks
     * are stored) and waits, bounded, for it to commit. Never changes the given list. Thread:
     * called from the writer thread only.
     *
     * <p>Returns within about the dead-letter timeout (one send blocked on the producer's
     * {@code max.block.ms} may add that much once): when every send is acknowledged the transaction
     * commits and all are durable. Otherwise it is aborted: what the topic refused for good is
     * written to the rejects file and is durable, and the rest is failed, to be sent again in a
     * new transaction. After the first send that fails for a reason not tied to its record (no
     * metadata for the topic, a full buffer), the remaining rejects are not sent in this attempt,
     * so a missing topic costs one wait, not one per record. What became durable is counted here,
     * in {@link ConsumerMetrics#deadLettered}; the caller does not count it.
     *
     * @throws FencedException when the producer cannot take part in transactions any more
     * @throws InterruptedException if the writer thread is interrupted; nothing of this attempt counts
     */
    public Published publish(List<DecodedBatch.Rejected> rejects, Map<TopicPartition, OffsetAndMetadata> offsets)
            throws InterruptedException {
        if (rejects.isEmpty()) {
            return new Published(List.of(), List.of(), null);
        }
        try {
            if (inDoubt != null) {
                producer.commitTransaction(); // a timed-out commit can only be completed
                boolean same = inDoubt.equals(rejects);
                inDoubt = null;
                if (same) {
                    return committed(rejects);
                }
                // the batch it held was given up (its partitions left); its offsets were taken in its generation
            }
            begin();
        } catch (KafkaException e) {
            fenced(e);
            return failedAll(rejects, e);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        boolean single = oneByOne;
        oneByOne = false;
        List<Future<RecordMetadata>> sends = new ArrayList<>(rejects.size());
        boolean lostAlone = false; // sent one by one, a record failed: the rest wait for the next attempt
        for (DecodedBatch.Rejected rejected : rejects) {
            Future<RecordMetadata> send = System.nanoTime() - deadline >= 0 ? null : send(rejected);
            sends.add(send);
            if (single && send != null) {
                producer.flush(); // a batch of its own: the topic judges its size alone
                if (failed(send)) {
                    // the transaction is lost: a later send could fail with this record's error, and
                    // be taken as refused for good. The rest go in the next attempt
                    lostAlone = true;
                    break;
                }
            }
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
            if (lostAlone && i >= sends.size()) {
                failed.add(rejected); // not sent: what happened to the one before says why
                continue;
            }
            Throwable error = i < sends.size() && sends.get(i) != null ? await(sends.get(i), deadline, timeoutNanos)
                    : new TimeoutException("not sent: an earlier dead letter of this attempt failed or the "
                            + Duration.ofNanos(timeoutNanos).toMillis() + " ms bound passed");
            if (error == null) {
                acknowledged.add(rejected);
            } else if (isTooLarge(error) && !single && rejects.size() > 1) {
                // the producer batches records: the topic may have refused a small one for a large
                // one beside it. Sent again one by one, each is judged by its own size
                oneByOne = true;
                failed.add(rejected);
                firstFailure = firstFailure == null ? error : firstFailure;
            } else if (isPermanent(error)) {
                refused.add(new RejectsFile.Entry(rejected, topic, error));
            } else {
                failed.add(rejected);
                firstFailure = firstFailure == null ? error : firstFailure;
            }
        }
        if (refused.isEmpty() && failed.isEmpty()) {
            return commit(rejects, offsets);
        }
        // nothing of an aborted transaction reaches a read_committed reader: what the topic took is sent again
        abort();
        failed.addAll(0, acknowledged);
        List<DecodedBatch.Rejected> durable = new ArrayList<>();
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
        if (failed.isEmpty()) {
            return new Published(durable, List.of(), null);
        }
        String message;
        if (firstFailure instanceof IOException) {
            message = "cannot write refused dead letters to the rejects file " + rejectsFile.current() + ": " + firstFailure;
        } else if (oneByOne && isTooLarge(firstFailure)) {
            message = "dead-letter topic " + topic + " refused record(s) as too large, maybe for a large one sent in the "
                    + "same batch: " + RejectsFile.describe(firstFailure) + "; each is sent again on its own";
        } else if (firstFailure != null) {
            message = "dead-letter topic " + topic + " did not take " + (failed.size() - acknowledged.size()) + " of "
                    + rejects.size() + " record(s) within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms: "
                    + RejectsFile.describe(firstFailure);
        } else {
            message = refused.size() + " record(s) refused for good went to the rejects file; the other "
                    + failed.size() + " are sent again in a new transaction";
        }
        PublishException failure = new PublishException(message, firstFailure);
        if (firstFailure != null) {
            logSampled("failed:" + firstFailure.getClass().getName(), failed, "not durable yet, sent again after a backoff",
                    message);
        }
        return new Published(durable, failed, failure);
    }

    /** Every send acknowledged: the offsets join the transaction and it commits. */
    private Published commit(List<DecodedBatch.Rejected> rejects, Map<TopicPartition, OffsetAndMetadata> offsets) {
        ConsumerGroupMetadata group = member;
        if (group == null) {
            throw new IllegalStateException("no group metadata: the consumer has not polled yet");
        }
        try {
            producer.sendOffsetsToTransaction(offsets, group);
        } catch (KafkaException e) {
            fenced(e);
            abort();
            return failedAll(rejects, e);
        }
        faults.beforeDeadLetterCommit();
        try {
            producer.commitTransaction();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            inDoubt = List.copyOf(rejects); // may have committed: finish it before anything else
            return failedAll(rejects, e);
        } catch (KafkaException e) {
            fenced(e);
            abort();
            return failedAll(rejects, e);
        }
        return committed(rejects);
    }

    private Published committed(List<DecodedBatch.Rejected> rejects) {
        count(rejects, TO_TOPIC);
        logSampled("sent", rejects, "sent to dead-letter topic " + topic, null);
        return new Published(rejects, List.of(), null);
    }

    private void begin() {
        if (!initialized) {
            // fences a predecessor with the same transactional.id and aborts what it left open
            producer.initTransactions();
            initialized = true;
        }
        if (abortPending) {
            producer.abortTransaction();
            abortPending = false;
        }
        producer.beginTransaction();
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            fenced(e);
            abortPending = true;
            log.warn("aborting a dead-letter transaction failed, done again before the next one: {}", e.toString());
        }
    }

    /** Throws {@link FencedException} when the producer cannot use transactions any more. */
    private void fenced(KafkaException e) {
        if (e instanceof ProducerFencedException || e instanceof TransactionalIdAuthorizationException
                || e instanceof UnsupportedVersionException || e instanceof AuthorizationException) {
            throw new FencedException("the dead-letter producer cannot send in transactions any more: " + e.getMessage()
                    + " (another process uses its transactional.id, for example one on a copy of this data dir, "
                    + "or the broker refuses transactions to it)", e);
        }
    }

    private Published failedAll(List<DecodedBatch.Rejected> rejects, KafkaException e) {
        String message = "dead-letter transaction on " + topic + " failed: " + RejectsFile.describe(e);
        logSampled("failed:" + e.getClass().getName(), rejects, "not durable yet, sent again after a backoff", message);
        return new Published(List.of(), rejects, new PublishException(message, e));
    }

    /** The producer's future for one dead letter; an error the producer throws at once becomes a failed future. */
    private Future<RecordMetadata> send(DecodedBatch.Rejected rejected) {
        try {
            return producer.send(deadLetter(rejected));
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whether a send that is done failed. */
    private static boolean failed(Future<RecordMetadata> send) {
        return failure(send) != null;
    }

    /** Whether a send already failed, for a reason that is not about its own record (its send blocked, then gave up). */
    private static boolean failedNotForItsRecord(Future<RecordMetadata> send) {
        Throwable error = failure(send);
        return error != null && !isPermanent(error);
    }

    /** Why a send that is done failed; null when it is not done or succeeded. */
    private static Throwable failure(Future<RecordMetadata> send) {
        if (!send.isDone()) {
            return null;
        }
        try {
            send.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // not reached: the future is done
            return e;
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
    private static boolean isTooLarge(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException;
    }

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
