package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.TickStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeadLetters#publish} on Kafka's fake producer, where what the broker answers is the point, not the broker. */
class DeadLettersTest {

    private static final Duration BOUND = Duration.ofMillis(200);
    private static final Map<TopicPartition, OffsetAndMetadata> OFFSETS = Map.of(new TopicPartition("ticks", 0),
            new OffsetAndMetadata(4_000));
    private static final ConsumerGroupMetadata MEMBER = new ConsumerGroupMetadata("g", 7, "member-1", Optional.empty());

    @TempDir
    Path dataDir;

    private TickStore store;
    private ConsumerMetrics metrics;

    @BeforeEach
    void metrics() {
        store = new TickStore(dataDir, StoreOptions.defaults());
        metrics = new ConsumerMetrics(store);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void sendsThatAreNeverAcknowledgedComeBackAsFailedWithinTheBoundNotOnceTheBoundPerRecord() throws Exception {
        // the broker never answers: every future stays incomplete, and flush() would wait for them
        Producer producer = new Producer(send -> new CompletableFuture<>());
        List<DecodedBatch.Rejected> rejects = rejects(50);
        List<DecodedBatch.Rejected> given = List.copyOf(rejects);

        // waiting one bound per record would take 50 bounds; a bounded publish returns after about one
        DeadLetters.Published published = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                BOUND.multipliedBy(rejects.size() / 5), () -> deadLetters(producer).publish(rejects, OFFSETS));
        assertThat(published.durable()).isEmpty();
        assertThat(published.failed()).containsExactlyElementsOf(given);
        assertThat(published.failure()).isNotNull();
        assertThat(published.failure().getMessage()).contains("ticks.dlq");
        assertThat(rejects).as("the given list is not changed").containsExactlyElementsOf(given);
        assertThat(deadLettered()).isZero();
    }

    @Test
    void aTopicThatIsMissingCostsOneBlockedSendNotOnePerRecord() throws Exception {
        // as KafkaProducer does after max.block.ms without metadata for the topic
        AtomicInteger sends = new AtomicInteger();
        Producer producer = new Producer(send -> {
            sends.incrementAndGet();
            return CompletableFuture.failedFuture(new TimeoutException("Topic ticks.dlq not present in metadata after 5000 ms."));
        });
        List<DecodedBatch.Rejected> rejects = rejects(20);

        DeadLetters.Published published = deadLetters(producer).publish(rejects, OFFSETS);

        assertThat(sends).hasValue(1);
        assertThat(published.failed()).containsExactlyElementsOf(rejects);
        assertThat(published.failure()).hasMessageContaining("not present in metadata").hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void deadLettersAllAcknowledgedCommitInOneTransactionWithTheBatchsOffsetsInTheMembersGeneration() throws Exception {
        Producer producer = new Producer(send -> CompletableFuture.completedFuture(null));
        List<DecodedBatch.Rejected> rejects = rejects(3);

        DeadLetters.Published published = deadLetters(producer).publish(rejects, OFFSETS);

        assertThat(published.durable()).containsExactlyElementsOf(rejects);
        assertThat(published.failed()).isEmpty();
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.consumerGroupOffsetsHistory()).containsExactly(Map.of("g", OFFSETS));
        assertThat(producer.groups).containsExactly(MEMBER);
        assertThat(deadLettered()).isEqualTo(3);
    }

    @Test
    void aSendThatFailsAbortsTheTransactionSoNothingOfTheAttemptIsCommittedOrCounted() throws Exception {
        Producer producer = new Producer(send -> new String(send.value(), StandardCharsets.UTF_8).equals("reject-1")
                ? CompletableFuture.failedFuture(new TimeoutException("no answer")) : CompletableFuture.completedFuture(null));
        List<DecodedBatch.Rejected> rejects = rejects(3);

        DeadLetters.Published published = deadLetters(producer).publish(rejects, OFFSETS);

        assertThat(published.durable()).isEmpty();
        assertThat(published.failed()).containsExactlyInAnyOrderElementsOf(rejects);
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.transactionCommitted()).isFalse();
        assertThat(producer.consumerGroupOffsetsHistory()).isEmpty();
        assertThat(deadLettered()).isZero();
    }

    @Test
    void aCommitThatTimedOutIsCompletedByTheNextAttemptWithoutSendingTheDeadLettersAgain() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        Producer producer = new Producer(send -> {
            sends.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        producer.commitTransactionException = new TimeoutException("commit not answered in time");
        DeadLetters deadLetters = deadLetters(producer);
        List<DecodedBatch.Rejected> rejects = rejects(2);

        DeadLetters.Published first = deadLetters.publish(rejects, OFFSETS);
        assertThat(first.failed()).containsExactlyElementsOf(rejects);
        assertThat(producer.transactionCommitted()).isFalse();

        producer.commitTransactionException = null;
        DeadLetters.Published second = deadLetters.publish(first.failed(), OFFSETS);

        assertThat(second.durable()).containsExactlyElementsOf(rejects);
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(sends).as("sent once, committed by the second attempt").hasValue(2);
        assertThat(deadLettered()).isEqualTo(2);
    }

    @Test
    void aTimedOutCommitOfAGivenUpBatchIsCompletedAndTheNextBatchsDeadLettersGoInATransactionOfTheirOwn() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        Producer producer = new Producer(send -> {
            sends.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        producer.commitTransactionException = new TimeoutException("commit not answered in time");
        DeadLetters deadLetters = deadLetters(producer);
        assertThat(deadLetters.publish(rejects(2), OFFSETS).failed()).hasSize(2);

        producer.commitTransactionException = null;
        List<DecodedBatch.Rejected> next = rejects(3).subList(2, 3);
        DeadLetters.Published published = deadLetters.publish(next, OFFSETS);

        assertThat(published.durable()).containsExactlyElementsOf(next);
        assertThat(sends).as("the next batch's dead letter was sent, not taken for committed").hasValue(3);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(2);
        assertThat(deadLettered()).isEqualTo(1);
    }

    @Test
    void aProducerFencedByAnotherWithItsTransactionalIdStopsTheConsumer() {
        Producer producer = new Producer(send -> CompletableFuture.completedFuture(null));
        producer.commitTransactionException = new ProducerFencedException("a newer producer took ticksink-dlq.g.node.0");

        assertThatThrownBy(() -> deadLetters(producer).publish(rejects(1), OFFSETS))
                .isInstanceOf(DeadLetters.FencedException.class).hasMessageContaining("transactional.id");
        assertThat(deadLettered()).isZero();
    }

    @Test
    void recordsTheTopicRefusesForGoodAreWrittenToTheRejectsFileAndTheOthersGoAgainInANewTransaction() throws Exception {
        AtomicInteger flushes = new AtomicInteger();
        Producer producer = new Producer(send -> {
            String value = new String(send.value(), StandardCharsets.UTF_8);
            if (value.equals("reject-1")) {
                return CompletableFuture.failedFuture(new RecordTooLargeException("too large for ticks.dlq"));
            }
            if (value.equals("reject-2")) {
                return CompletableFuture.failedFuture(new TopicAuthorizationException("not authorized on ticks.dlq"));
            }
            return CompletableFuture.completedFuture(null);
        }) {
            @Override
            public synchronized void flush() {
                flushes.incrementAndGet();
            }
        };
        List<DecodedBatch.Rejected> rejects = rejects(4);
        DeadLetters deadLetters = deadLetters(producer);

        // sent in batches, a record refused as too large may have been refused for a large neighbour: not yet judged
        DeadLetters.Published first = deadLetters.publish(rejects, OFFSETS);
        assertThat(first.durable()).containsExactly(rejects.get(2));
        assertThat(first.failed()).containsExactlyInAnyOrder(rejects.get(0), rejects.get(3), rejects.get(1));
        assertThat(producer.transactionAborted()).as("the others were sent in the aborted transaction").isTrue();
        int flushedBefore = flushes.get();
        assertThat(flushedBefore).as("no record sent alone").isLessThan(3);

        // sent one by one, it is judged by its own size
        DeadLetters.Published second = deadLetters.publish(first.failed(), OFFSETS);
        assertThat(flushes.get() - flushedBefore).as("each record in a batch of its own").isGreaterThanOrEqualTo(3);
        assertThat(second.durable()).containsExactly(rejects.get(1));
        assertThat(second.failed()).containsExactlyInAnyOrder(rejects.get(0), rejects.get(3));
        List<String> lines = rejectsLines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"offset\":2").contains("TopicAuthorizationException");
        assertThat(lines.get(1)).contains("\"offset\":1").contains("RecordTooLargeException")
                .contains("\"value\":\"" + base64("reject-1") + "\"");

        DeadLetters.Published third = deadLetters.publish(second.failed(), OFFSETS);
        assertThat(third.durable()).containsExactlyInAnyOrder(rejects.get(0), rejects.get(3));
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(metrics.scrape())
                .contains("ticksink_dead_letters_total{destination=\"rejects-file\",reason=\"NOT_JSON\"} 2.0")
                .contains("ticksink_dead_letters_total{destination=\"topic\",reason=\"NOT_JSON\"} 2.0");
    }

    /**
     * Sent one by one, a record refused as too large dooms its transaction, and the producer may
     * fail a later send of that transaction with the same error: that record is sent again in the
     * next transaction, not taken as refused for good.
     */
    @Test
    void oneByOneTheRecordsAfterARefusedOneWaitForTheNextTransaction() throws Exception {
        boolean[] lost = {false};
        Producer producer = new Producer(send -> {
            if (lost[0] || new String(send.value(), StandardCharsets.UTF_8).equals("reject-0")) {
                lost[0] = true; // the transaction's error, as the producer hands it to what it sends next
                return CompletableFuture.failedFuture(new RecordTooLargeException("too large for ticks.dlq"));
            }
            return CompletableFuture.completedFuture(null);
        }) {
            @Override
            public synchronized void abortTransaction() {
                super.abortTransaction();
                lost[0] = false;
            }
        };
        List<DecodedBatch.Rejected> rejects = rejects(2);
        DeadLetters deadLetters = deadLetters(producer);

        DeadLetters.Published batched = deadLetters.publish(rejects, OFFSETS);
        assertThat(batched.failure()).hasMessageContaining("sent again on its own");
        DeadLetters.Published alone = deadLetters.publish(batched.failed(), OFFSETS);
        assertThat(alone.durable()).containsExactly(rejects.get(0));
        assertThat(alone.failed()).containsExactly(rejects.get(1));
        assertThat(rejectsLines()).hasSize(1).first(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("\"offset\":0");
        DeadLetters.Published next = deadLetters.publish(alone.failed(), OFFSETS);
        assertThat(next.durable()).containsExactly(rejects.get(1));
        assertThat(producer.transactionCommitted()).isTrue();
    }

    @Test
    void aRefusedRecordThatCannotBeWrittenLocallyStaysFailedForALaterAttempt() throws Exception {
        Files.writeString(dataDir.resolve("rejects"), "a file where the directory should be");
        Producer producer = new Producer(send -> CompletableFuture.failedFuture(new RecordTooLargeException("too large")));
        List<DecodedBatch.Rejected> rejects = rejects(2);

        DeadLetters deadLetters = deadLetters(producer);
        DeadLetters.Published batched = deadLetters.publish(rejects, OFFSETS);
        assertThat(batched.failure()).hasMessageContaining("sent again on its own");
        DeadLetters.Published published = deadLetters.publish(batched.failed(), OFFSETS);

        assertThat(published.durable()).isEmpty();
        assertThat(published.failed()).containsExactlyInAnyOrderElementsOf(rejects);
        assertThat(published.failure()).hasMessageContaining("rejects file");
        assertThat(deadLettered()).isZero();
    }

    private DeadLetters deadLetters(Producer producer) {
        DeadLetters deadLetters = new DeadLetters(producer, "ticks.dlq", BOUND, dataDir.resolve("rejects"), metrics);
        deadLetters.member(MEMBER);
        return deadLetters;
    }

    private List<String> rejectsLines() throws Exception {
        try (var files = Files.list(dataDir.resolve("rejects"))) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return Files.readAllLines(all.get(0), StandardCharsets.UTF_8);
        }
    }

    private double deadLettered() {
        return metrics.registry().find("ticksink.dead.letters").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static List<DecodedBatch.Rejected> rejects(int n) {
        List<DecodedBatch.Rejected> rejects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("ticks", 0, i,
                    "EURUSD".getBytes(StandardCharsets.UTF_8), ("reject-" + i).getBytes(StandardCharsets.UTF_8));
            rejects.add(new DecodedBatch.Rejected(record, "NOT_JSON", "not JSON"));
        }
        return rejects;
    }

    private static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Kafka's fake producer answering each send as the test says. */
    private static class Producer extends MockProducer<byte[], byte[]> {
        private final java.util.function.Function<ProducerRecord<byte[], byte[]>, Future<RecordMetadata>> answer;
        /** The group metadata of every sendOffsetsToTransaction. */
        final List<ConsumerGroupMetadata> groups = new ArrayList<>();

        Producer(java.util.function.Function<ProducerRecord<byte[], byte[]>, Future<RecordMetadata>> answer) {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.answer = answer;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            return answer.apply(record);
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
            super.sendOffsetsToTransaction(offsets, group);
            groups.add(group);
        }

        @Override
        public synchronized void flush() {
            // the real producer's flush waits for every send; these never complete on their own
        }
    }
}
