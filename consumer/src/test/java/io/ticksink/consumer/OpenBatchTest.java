package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class OpenBatchTest {

    private static final long MS = 1_000_000L;

    private static ConsumerRecord<byte[], ByteBuffer> rec(int partition, long offset) {
        String json = TestTicks.json("EURUSD", "2026-01-19T10:00:0" + (offset % 10) + "Z", 1.1, 1.2);
        return new ConsumerRecord<>("ticks", partition, offset, "EURUSD".getBytes(StandardCharsets.UTF_8),
                ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static OpenBatch open(int batchSize, long lingerNanos) {
        return new OpenBatch(new BatchDecoder(), batchSize, lingerNanos);
    }

    @Test
    void aBatchIsReadyAndFullWhenItHoldsBatchSizeRecords() {
        OpenBatch open = open(3, 1_000 * MS);
        open.addAll(List.of(rec(0, 0), rec(0, 1)), 0);
        assertThat(open.isReady(0)).isFalse();
        assertThat(open.isFull()).isFalse();
        open.addAll(List.of(rec(0, 2)), 0);
        assertThat(open.isReady(0)).isTrue();
        assertThat(open.isFull()).isTrue();
    }

    @Test
    void aBatchOfLargeRecordsIsFullAtItsByteBoundLongBeforeItsRecordCount() {
        ConsumerRecord<byte[], ByteBuffer> large = new ConsumerRecord<>("ticks", 0, 0, "EURUSD".getBytes(StandardCharsets.UTF_8),
                ByteBuffer.wrap(("{\"symbol\":\"EURUSD\",\"x\":\"" + "a".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        OpenBatch open = new OpenBatch(new BatchDecoder(), 20_000, 1_000_000, 1_000 * MS);
        for (int i = 0; i < 9; i++) {
            open.addAll(List.of(large), 0);
        }
        assertThat(open.isFull()).isFalse();
        open.addAll(List.of(large), 0);
        assertThat(open.size()).isEqualTo(10);
        assertThat(open.isFull()).as("ten records of 100 KB reach the 1 MB bound").isTrue();
        assertThat(open.isReady(0)).isTrue();
    }

    @Test
    void aBatchIsReadyWhenItsFirstRecordLingeredLongEnough() {
        OpenBatch open = open(100, 50 * MS);
        assertThat(open.isReady(1_000 * MS)).as("an empty batch is never due").isFalse();
        open.addAll(List.of(rec(0, 0)), 10 * MS);
        open.addAll(List.of(rec(0, 1)), 40 * MS);
        assertThat(open.isReady(59 * MS)).isFalse();
        assertThat(open.nanosUntilDue(59 * MS, 200 * MS)).isEqualTo(MS);
        assertThat(open.isReady(60 * MS)).isTrue();
        assertThat(open.nanosUntilDue(80 * MS, 200 * MS)).isZero();
    }

    @Test
    void anEmptyBatchPollsForTheIdleTime() {
        assertThat(open(100, 50 * MS).nanosUntilDue(0, 200 * MS)).isEqualTo(200 * MS);
    }

    @Test
    void recordsAreDecodedAsTheyArrive() {
        OpenBatch open = open(100, 0);
        ConsumerRecord<byte[], ByteBuffer> bad = new ConsumerRecord<>("ticks", 1, 7, null,
                ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)));
        open.addAll(List.of(rec(0, 0), bad, rec(0, 1)), 0);
        DecodedBatch batch = open.drain();
        assertThat(batch.ticks()).isEqualTo(2);
        assertThat(batch.rejected()).extracting(DecodedBatch.Rejected::reason).containsExactly("NOT_JSON");
        assertThat(batch.offsets()).containsEntry(new TopicPartition("ticks", 0), new OffsetAndMetadata(2))
                .containsEntry(new TopicPartition("ticks", 1), new OffsetAndMetadata(8));
    }

    @Test
    void drainingEmptiesTheBatchAndRestartsTheLinger() {
        OpenBatch open = open(100, 50 * MS);
        open.addAll(List.of(rec(0, 0), rec(1, 0)), 0);
        assertThat(open.drain().records()).isEqualTo(2);
        assertThat(open.isEmpty()).isTrue();
        open.addAll(List.of(rec(0, 1)), 100 * MS);
        assertThat(open.isReady(120 * MS)).isFalse();
    }

    @Test
    void takingSomePartitionsKeepsTheOthersAndTheirCount() {
        OpenBatch open = open(4, 50 * MS);
        open.addAll(List.of(rec(0, 0), rec(1, 0), rec(0, 1), rec(2, 0), rec(1, 1)), 0);
        assertThat(open.isFull()).isTrue();

        DecodedBatch revoked = open.take(Set.of(new TopicPartition("ticks", 1)));

        assertThat(revoked.records()).isEqualTo(2);
        assertThat(revoked.offsets()).containsOnlyKeys(new TopicPartition("ticks", 1));
        assertThat(open.size()).isEqualTo(3);
        assertThat(open.isFull()).as("the taken records no longer count").isFalse();
        assertThat(open.drain().offsets()).containsOnlyKeys(new TopicPartition("ticks", 0), new TopicPartition("ticks", 2));
    }

    @Test
    void theLatencySampleOfABatchIsEvenlySpreadAndBounded() {
        OpenBatch open = open(2_000, 0);
        List<ConsumerRecord<byte[], ByteBuffer>> records = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            records.add(new ConsumerRecord<>("ticks", 0, i, 1_000L + i, TimestampType.CREATE_TIME,
                    6, 10, "EURUSD".getBytes(StandardCharsets.UTF_8), ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)),
                    new RecordHeaders(), Optional.empty()));
        }
        open.addAll(records, 0);
        DecodedBatch batch = open.drain();

        long[] sample = batch.recordTimestamps(256);
        assertThat(sample).hasSize(250);
        for (int i = 0; i < sample.length; i++) {
            assertThat(sample[i]).isEqualTo(1_000L + 4L * i);
        }
        assertThat(batch.recordTimestamps(2_000)).hasSize(1_000).startsWith(1_000L).endsWith(1_999L);
    }

    @Test
    void aBatchSplitOffForAHandOverHasNoLatencySampleAndTheRestKeepsItsOwn() {
        OpenBatch open = open(2_000, 0);
        List<ConsumerRecord<byte[], ByteBuffer>> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            records.add(rec(i % 2, i));
        }
        open.addAll(records, 0);

        DecodedBatch taken = open.take(Set.of(new TopicPartition("ticks", 1)));
        DecodedBatch rest = open.drain();

        assertThat(taken.records()).isEqualTo(300);
        assertThat(taken.recordTimestamps(256)).isEmpty();
        assertThat(rest.records()).isEqualTo(300);
        assertThat(rest.recordTimestamps(256)).hasSizeLessThanOrEqualTo(256).isNotEmpty();
    }
}
