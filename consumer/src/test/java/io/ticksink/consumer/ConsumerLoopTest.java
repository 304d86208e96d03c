package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.TickStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The loop's exit and hand-over paths on Kafka's own fake consumer, against real day files whose
 * faults are real: a file held by another SQLite connection (the writer's attempts fail busy), or
 * another program's SQLite file (the write fails for good). The revocation that
 * {@code KafkaConsumer.close()} runs after the loop returned is played by calling the listener,
 * as the client does.
 */
class ConsumerLoopTest {

    private static final TopicPartition P0 = new TopicPartition("ticks", 0);
    private static final TopicPartition P1 = new TopicPartition("ticks", 1);
    private static final LocalDate DAY1 = LocalDate.of(2026, 3, 13);
    private static final LocalDate DAY2 = LocalDate.of(2026, 3, 14);

    @TempDir
    Path dataDir;

    private final Kafka kafka = new Kafka();
    private TickStore store;
    private ConsumerMetrics metrics;
    private MockProducer<byte[], byte[]> dlq;
    private Connection lock;

    @BeforeEach
    void assign() {
        kafka.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @AfterEach
    void close() throws Exception {
        if (lock != null) {
            lock.close();
        }
        if (store != null) {
            store.close();
        }
        if (dlq != null) {
            dlq.close();
        }
    }

    @Test
    void aFatalErrorWritesAndCommitsNothingReadBehindTheFailedBatchAlsoWhenTheClientRevokesOnClose() throws Exception {
        foreignFile(DAY1);
        TickConsumer loop = loop(Duration.ofSeconds(5), "--shutdown-timeout", "5s");
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0));
            add(P0, 0, DAY1, 1);
        });
        // the next polls bring what is read behind the failing batch
        for (int i = 0; i < 5; i++) {
            int from = 1 + i * 100;
            kafka.schedulePollTask(() -> add(P0, from, DAY2, 100));
        }
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);

        assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(TickConsumer.EXIT_FATAL);
        kafka.revokeAllAsCloseDoes();

        assertThat(TestTicks.count(dataDir, DAY2)).isZero();
        assertThat(kafka.committedOffsets()).isEmpty();
    }

    @Test
    void aBatchStillFailingAtTheShutdownDeadlineIsGivenUpAndNothingBehindItIsWrittenOrCommitted() throws Exception {
        holdLock(DAY1);
        TickConsumer loop = loop(Duration.ofSeconds(5), "--shutdown-timeout", "500ms");
        AtomicBoolean behindRead = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0));
            add(P0, 0, DAY1, 1);
        });
        kafka.schedulePollTask(() -> {
            add(P0, 1, DAY2, 300);
            behindRead.set(true);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await("the write failing and records read behind it").atMost(Duration.ofSeconds(20))
                .until(() -> behindRead.get() && metrics.registry().counter("ticksink.write.retries").count() >= 1);

        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(TickConsumer.EXIT_UNCOMMITTED);
        kafka.revokeAllAsCloseDoes();
        lock.close(); // the file is free again: only the consumer's own rules keep it from writing now

        assertThat(TestTicks.count(dataDir, DAY2)).isZero();
        assertThat(kafka.committedOffsets()).isEmpty();
    }

    @Test
    void aRevokedPartitionsBatchInFlightAndWhatWasReadBehindItAreWrittenByTheWriterThenCommitted() throws Exception {
        holdLock(DAY1);
        TickConsumer loop = loop(Duration.ofSeconds(20), "--linger", "10m", "--batch-size", "301");
        AtomicBoolean behindRead = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            add(P0, 0, DAY1, 1);
            add(P0, 1, DAY2, 200);
            add(P1, 0, DAY2, 100);
        });
        kafka.schedulePollTask(() -> {
            add(P0, 201, DAY2, 50); // behind the batch in flight, kept in hand by the long linger
            behindRead.set(true);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await("the batch in flight failing, and records of its partition read behind it").atMost(Duration.ofSeconds(20))
                .until(() -> behindRead.get() && metrics.registry().counter("ticksink.write.retries").count() >= 1);

        AtomicBoolean handedOver = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            try {
                lock.close();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            kafka.rebalance(List.of(P1)); // P0 leaves while its batch is in flight
            handedOver.set(true);
        });
        await("the hand-over").atMost(Duration.ofSeconds(30)).untilTrue(handedOver);

        // committed synchronously inside the revocation: the batch in flight and the records behind it
        assertThat(kafka.committedOffsets()).containsEntry(P0, new OffsetAndMetadata(251));
        assertThat(TestTicks.count(dataDir, DAY1)).isEqualTo(1);
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(TestTicks.count(dataDir, DAY2)).isEqualTo(350);
        assertThat(kafka.committedOffsets()).containsEntry(P1, new OffsetAndMetadata(100));
    }

    @Test
    void aBatchNotWrittenWithinTheHandOverWaitIsAbandonedAndNeverCommitted() throws Exception {
        holdLock(DAY1);
        TickConsumer loop = loop(Duration.ofMillis(300), "--linger", "10m", "--batch-size", "100");
        AtomicBoolean behindRead = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0));
            add(P0, 0, DAY1, 1);
            add(P0, 1, DAY2, 99);
        });
        kafka.schedulePollTask(() -> {
            add(P0, 100, DAY2, 50);
            behindRead.set(true);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> behindRead.get() && metrics.registry().counter("ticksink.write.retries").count() >= 1);

        AtomicBoolean revoked = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of());
            revoked.set(true);
        });
        await().atMost(Duration.ofSeconds(20)).untilTrue(revoked);
        lock.close();
        // the stop waits for the writer: the abandoned batch ends at its next attempt, whichever way that goes
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();

        assertThat(kafka.committedOffsets()).isEmpty();
        assertThat(TestTicks.count(dataDir, DAY2)).as("only the abandoned batch's own ticks, if its last attempt won")
                .isIn(0L, 99L);
    }

    @Test
    void lostPartitionsAreGivenUpWithoutWritingOrCommittingWhatWasInHand() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5), "--linger", "10m");
        AtomicBoolean lost = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            add(P0, 0, DAY2, 10);
            add(P1, 0, DAY2, 5);
        });
        kafka.schedulePollTask(() -> {
            kafka.listener.onPartitionsLost(List.of(P0)); // the session timed out: P0 belongs to another member now
            lost.set(true);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await().atMost(Duration.ofSeconds(20)).untilTrue(lost);

        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(TestTicks.count(dataDir, DAY2)).isEqualTo(5);
        assertThat(kafka.committedOffsets()).isEqualTo(Map.of(P1, new OffsetAndMetadata(5)));
    }

    @Test
    void aRevokedPartitionsOffsetWhoseCommitFailedIsNotCommittedWhenThePartitionReturns() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5));
        kafka.failCommitsOf(P0, true);
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            add(P0, 0, DAY2, 10);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await("P0's ticks stored, their commit failing").atMost(Duration.ofSeconds(20))
                .ignoreExceptions() // the day file is created while it is looked at
                .until(() -> TestTicks.count(dataDir, DAY2) == 10 && kafka.failedCommits.get() >= 1);

        AtomicInteger handedOverAt = new AtomicInteger(-1);
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P1)); // the synchronous commit of the hand-over fails too
            kafka.failCommitsOf(P0, false);
            handedOverAt.set(kafka.history.size());
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> handedOverAt.get() >= 0);
        AtomicBoolean returned = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1)); // P0 comes back, after its new owner moved it on
            add(P1, 0, DAY2, 5);
            returned.set(true);
        });
        await().atMost(Duration.ofSeconds(20)).untilTrue(returned);
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();

        List<Map<TopicPartition, OffsetAndMetadata>> after = kafka.history();
        after = after.subList(handedOverAt.get(), after.size());
        assertThat(after).as("commits after the hand-over").isNotEmpty().noneMatch(commit -> commit.containsKey(P0));
        assertThat(kafka.committedOffsets()).containsEntry(P1, new OffsetAndMetadata(5));
    }

    @Test
    void aRevokedPartitionsLagIsNoLongerReported() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5));
        kafka.updateEndOffsets(Map.of(P0, 10L, P1, 10L));
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            add(P0, 0, DAY2, 4);
            add(P1, 0, DAY2, 4);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await().atMost(Duration.ofSeconds(20)).until(() -> lagReported(0) && lagReported(1));

        kafka.schedulePollTask(() -> kafka.rebalance(List.of(P1)));
        await("P0's lag gauge removed").atMost(Duration.ofSeconds(20)).until(() -> !lagReported(0));
        assertThat(lagReported(1)).isTrue();
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void theConsumerIsNotReadyBeforeItHasJoinedItsGroup() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5));
        AtomicInteger polls = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            kafka.schedulePollTask(polls::incrementAndGet); // polls before the group is joined
        }
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await().atMost(Duration.ofSeconds(20)).until(() -> polls.get() == 3);
        assertThat(metrics.notReadyReason()).isNotNull();

        kafka.schedulePollTask(() -> kafka.rebalance(List.of(P0)));
        await("ready once joined").atMost(Duration.ofSeconds(20)).until(() -> metrics.notReadyReason() == null);
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aStopWhoseLastCommitFailsSaysSoInsteadOfClaimingEverythingWasCommitted() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5), "--linger", "10m");
        kafka.failCommitsOf(P0, true);
        AtomicBoolean read = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0));
            add(P0, 0, DAY2, 3);
            read.set(true);
        });
        try (CapturedLog log = CapturedLog.capture()) {
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
            await().atMost(Duration.ofSeconds(20)).untilTrue(read);
            loop.requestStop();
            assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(TestTicks.count(dataDir, DAY2)).isEqualTo(3);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains("the last offset commit failed"))
                    .noneSatisfy(line -> assertThat(line).contains("stored and committed"));
        }
    }

    @Test
    void everyStoredRowNamesTheTopicPartitionAndOffsetOfItsRecord() throws Exception {
        TickConsumer loop = loop(Duration.ofSeconds(5));
        AtomicBoolean read = new AtomicBoolean();
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(P0, P1));
            add(P0, 0, DAY2, 6);
            add(P1, 0, DAY2, 3);
            read.set(true);
        });
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(loop::run);
        await().atMost(Duration.ofSeconds(20)).untilTrue(read);
        loop.requestStop();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();

        List<String> lineage = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(dataDir, DAY2));
             Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT s.name, t.position FROM ticks t JOIN streams s "
                     + "ON s.id = t.stream_id ORDER BY s.name, t.position")) {
            while (rs.next()) {
                lineage.add(rs.getString(1) + "@" + rs.getLong(2));
            }
        }
        assertThat(lineage).containsExactly("kafka:ticks:0@0", "kafka:ticks:0@1", "kafka:ticks:0@2", "kafka:ticks:0@3",
                "kafka:ticks:0@4", "kafka:ticks:0@5", "kafka:ticks:1@0", "kafka:ticks:1@1", "kafka:ticks:1@2");
    }

    private boolean lagReported(int partition) {
        return metrics.scrape().contains("ticksink_consumer_lag{partition=\"" + partition + "\"");
    }

    private TickConsumer loop(Duration handOverWait, String... options) {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--busy-timeout", "50ms",
                "--retry-initial", "20ms", "--retry-max", "50ms"));
        args.addAll(List.of(options));
        ConsumerConfig config = new ConsumerConfig();
        new CommandLine(config).parseArgs(args.toArray(String[]::new));
        store = new TickStore(dataDir, config.storeOptions());
        metrics = new ConsumerMetrics(store);
        dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        return new TickConsumer(config, kafka, new DeadLetters(dlq, "ticks.dlq", Duration.ofSeconds(1),
                dataDir.resolve("rejects"), metrics), store, metrics, PartitionIncarnations.TopicIds.UNKNOWN, handOverWait);
    }

    /** Another program's SQLite file where a day file should be: the write fails for good. */
    private void foreignFile(LocalDate day) throws Exception {
        Path file = DayFiles.path(dataDir, day);
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)");
        }
    }

    /** Another connection holds the day file's write lock: every attempt fails busy until it is closed. */
    private void holdLock(LocalDate day) throws Exception {
        Path file = DayFiles.path(dataDir, day);
        Files.createDirectories(file.getParent());
        lock = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = lock.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("BEGIN EXCLUSIVE");
        }
    }

    /** Ticks of one day at offsets {@code from, from + 1, ...} of a partition. */
    private void add(TopicPartition tp, long from, LocalDate day, int count) {
        Instant start = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plusSeconds(3600 + tp.partition() * 60L);
        for (int i = 0; i < count; i++) {
            long offset = from + i;
            String json = TestTicks.json("SYM" + tp.partition(), start.plusMillis(offset).toString(), 1.1, 1.2);
            kafka.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset,
                    ("SYM" + tp.partition()).getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8))));
        }
    }

    /** Kafka's fake consumer, keeping the rebalance listener so a test can call it as the client does. */
    private static final class Kafka extends MockConsumer<byte[], ByteBuffer> {
        ConsumerRebalanceListener listener;

        Kafka() {
            super("earliest");
        }

        @Override
        public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
            this.listener = listener;
            super.subscribe(topics, listener);
        }

        /** What {@code KafkaConsumer.close()} does with a member's partitions. */
        void revokeAllAsCloseDoes() {
            Set<TopicPartition> owned;
            synchronized (this) {
                owned = assignment();
            }
            listener.onPartitionsRevoked(owned);
        }

        /** Every offset committed, the last per partition (the fake's own view hides partitions no longer assigned). */
        Map<TopicPartition, OffsetAndMetadata> committedOffsets() {
            synchronized (this) {
                return new java.util.HashMap<>(commits);
            }
        }

        /** Every commit that went through, in order. */
        synchronized List<Map<TopicPartition, OffsetAndMetadata>> history() {
            return new ArrayList<>(history);
        }

        /** From now on, commits that include the partition fail (or no longer do), as they do while the broker is away. */
        synchronized void failCommitsOf(TopicPartition tp, boolean fail) {
            if (fail) {
                failing.add(tp);
            } else {
                failing.remove(tp);
            }
        }

        private final Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
        final List<Map<TopicPartition, OffsetAndMetadata>> history = new ArrayList<>();
        final AtomicInteger failedCommits = new AtomicInteger();
        private final Set<TopicPartition> failing = new java.util.HashSet<>();

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            commitSync(offsets);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (!java.util.Collections.disjoint(failing, offsets.keySet())) {
                failedCommits.incrementAndGet();
                throw new org.apache.kafka.common.errors.TimeoutException("the broker is away");
            }
            super.commitSync(offsets);
            commits.putAll(offsets);
            history.add(Map.copyOf(offsets));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            if (!java.util.Collections.disjoint(failing, offsets.keySet())) {
                failedCommits.incrementAndGet();
                callback.onComplete(offsets, new org.apache.kafka.common.errors.TimeoutException("the broker is away"));
                return;
            }
            super.commitAsync(offsets, callback);
            commits.putAll(offsets);
            history.add(Map.copyOf(offsets));
        }
    }
}
