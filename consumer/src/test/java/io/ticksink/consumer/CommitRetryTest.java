package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.TickStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commit path of {@link TickConsumer} on Kafka's own fake consumer, against real day files:
 * a commit that fails must not wait for more records of its partition, which may never come.
 */
class CommitRetryTest {

    private static final TopicPartition TP = new TopicPartition("ticks", 0);

    @TempDir
    Path dataDir;

    @Test
    void aCommitInterruptedByARebalanceIsRetriedThoughThePartitionGetsNoMoreRecords() throws Exception {
        AtomicInteger commitCalls = new AtomicInteger();
        MockConsumer<byte[], ByteBuffer> kafka = new MockConsumer<>("earliest") {
            // the first commit, synchronous or not, fails as it does while a member joins
            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                commitSync(offsets);
            }

            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                if (commitCalls.incrementAndGet() == 1) {
                    throw new RebalanceInProgressException("a member joined");
                }
                super.commitSync(offsets);
            }

            @Override
            public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                 OffsetCommitCallback callback) {
                if (commitCalls.incrementAndGet() == 1) {
                    callback.onComplete(offsets, new RebalanceInProgressException("a member joined"));
                    return;
                }
                super.commitAsync(offsets, callback);
            }
        };
        kafka.updateBeginningOffsets(Map.of(TP, 0L));
        ConsumerConfig config = new ConsumerConfig();
        new CommandLine(config).parseArgs("--data-dir", dataDir.toString(), "--linger", "10ms");
        try (TickStore store = new TickStore(dataDir, config.storeOptions());
             MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            ConsumerMetrics metrics = new ConsumerMetrics(store);
            TickConsumer consumer = new TickConsumer(config, kafka, new DeadLetters(dlq, "ticks.dlq", Duration.ofSeconds(1),
                    dataDir.resolve("rejects"), metrics), store, metrics);
            kafka.schedulePollTask(() -> {
                kafka.rebalance(List.of(TP));
                for (int i = 0; i < 3; i++) {
                    String json = TestTicks.json("EURUSD", "2026-01-19T10:00:0" + i + "Z", 1.1, 1.2);
                    kafka.addRecord(new ConsumerRecord<>("ticks", 0, i, "EURUSD".getBytes(StandardCharsets.UTF_8),
                            ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8))));
                }
            });
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(consumer::run);

            // while it runs, not only by the synchronous commit at stop
            await("the offset after the last record is committed").atMost(Duration.ofSeconds(20))
                    .until(() -> Map.of(TP, new OffsetAndMetadata(3)).equals(committed(kafka)));
            consumer.requestStop();
            assertThat(status.get(20, TimeUnit.SECONDS)).isZero();
            assertThat(commitCalls.get()).isGreaterThanOrEqualTo(2);
            assertThat(DayReader.count(DayFiles.path(dataDir, LocalDate.of(2026, 1, 19)))).isEqualTo(3);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(MockConsumer<byte[], ByteBuffer> kafka) {
        synchronized (kafka) {
            return kafka.committed(Set.of(TP));
        }
    }
}
