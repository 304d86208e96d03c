package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.StreamChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {

    private final BatchDecoder decoder = new BatchDecoder();

    /** Decodes the records into one batch, as the open batch does poll after poll. */
    private DecodedBatch decode(List<ConsumerRecord<byte[], ByteBuffer>> records) {
        DecodedBatch batch = new DecodedBatch(records.size());
        records.forEach(record -> decoder.decodeInto(batch, record));
        return batch;
    }

    private static ConsumerRecord<byte[], ByteBuffer> rec(int partition, long offset, String key, String value) {
        return new ConsumerRecord<>("ticks", partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ticksAreRoutedToTheDayOfTheirOwnTimestampPerPartition() {
        DecodedBatch batch = decode(List.of(
                rec(0, 10, "EURUSD", "{\"timestamp\":\"2026-01-19T23:59:59.999Z\",\"bid\":1,\"ask\":2}"),
                rec(0, 11, "EURUSD", "{\"timestamp\":\"2026-01-20T00:00:00Z\",\"bid\":1,\"ask\":2}"),
                rec(1, 5, "GBPUSD", "{\"timestamp\":\"2026-01-20T01:00:00+02:00\",\"bid\":1,\"ask\":2}")));

        assertThat(batch.days()).containsExactly(LocalDate.of(2026, 1, 19), LocalDate.of(2026, 1, 20));
        assertThat(batch.chunks(LocalDate.of(2026, 1, 19))).extracting(StreamChunk::stream)
                .containsExactlyInAnyOrder("kafka:ticks:0", "kafka:ticks:1");
        StreamChunk day20 = batch.chunks(LocalDate.of(2026, 1, 20)).iterator().next();
        assertThat(day20.position(0)).isEqualTo(11);
        assertThat(day20.tick(0).symbol()).as("symbol from the key").isEqualTo("EURUSD");
        assertThat(batch.ticks()).isEqualTo(3);
        assertThat(batch.offsets()).containsEntry(new TopicPartition("ticks", 0), new OffsetAndMetadata(12))
                .containsEntry(new TopicPartition("ticks", 1), new OffsetAndMetadata(6));
    }

    @Test
    void rejectedRecordsAreKeptWithTheirReasonAndTheirOffsetsAreCovered() {
        DecodedBatch batch = decode(List.of(
                rec(0, 0, "EURUSD", "garbage"),
                rec(0, 1, null, "{\"timestamp\":\"2026-01-19T10:00:00Z\",\"bid\":1,\"ask\":2}"),
                rec(0, 2, "EURUSD", null)));

        assertThat(batch.rejected()).extracting(DecodedBatch.Rejected::reason)
                .containsExactly("NOT_JSON", "MISSING_FIELD", "NOT_JSON");
        assertThat(batch.ticks()).isZero();
        assertThat(batch.days()).isEmpty();
        assertThat(batch.offsets()).containsEntry(new TopicPartition("ticks", 0), new OffsetAndMetadata(3));
    }

    /** The Kafka client hands values over as regions of the buffers it fetched, not as arrays of their own. */
    @Test
    void valuesAreDecodedFromTheirRegionOfAFetchedBufferAndRejectsKeepOnlyTheirOwnBytes() {
        String good = "{\"timestamp\":\"2026-01-19T10:00:00Z\",\"bid\":1.5,\"ask\":2.5}";
        String bad = "{\"bid\":";
        byte[] fetched = ("{\"junk\":1}" + good + bad + "}trailing").getBytes(StandardCharsets.UTF_8);
        int goodAt = "{\"junk\":1}".length();
        int badAt = goodAt + good.length();
        ByteBuffer goodValue = ByteBuffer.wrap(fetched, goodAt, good.length()).slice();
        ByteBuffer badValue = ByteBuffer.wrap(fetched).position(badAt).limit(badAt + bad.length());
        ByteBuffer readOnly = ByteBuffer.wrap(fetched, goodAt, good.length()).slice().asReadOnlyBuffer();
        byte[] key = "EURUSD".getBytes(StandardCharsets.UTF_8);

        DecodedBatch batch = decode(List.of(new ConsumerRecord<>("ticks", 0, 0, key, goodValue),
                new ConsumerRecord<>("ticks", 0, 1, key, badValue), new ConsumerRecord<>("ticks", 0, 2, key, readOnly)));

        StreamChunk chunk = batch.chunks(LocalDate.of(2026, 1, 19)).iterator().next();
        assertThat(chunk.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(chunk.tick(i).symbol()).isEqualTo("EURUSD");
            assertThat(chunk.tick(i).bid()).isEqualTo(1.5);
            assertThat(chunk.tick(i).ask()).isEqualTo(2.5);
        }
        assertThat(batch.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("NOT_JSON");
            assertThat(new String(r.record().value(), StandardCharsets.UTF_8)).isEqualTo(bad);
            assertThat(r.record().offset()).isEqualTo(1);
        });
        assertThat(goodValue.position()).isZero();
        assertThat(badValue.position()).isEqualTo(badAt);
    }

    @Test
    void takingARevokedPartitionMovesItsTicksRejectsAndOffsetsIntoABatchOfTheirOwn() {
        DecodedBatch batch = decode(List.of(
                rec(0, 0, "EURUSD", "{\"timestamp\":\"2026-01-19T10:00:00Z\",\"bid\":1,\"ask\":2}"),
                rec(1, 0, "GBPUSD", "{\"timestamp\":\"2026-01-20T10:00:00Z\",\"bid\":1,\"ask\":2}"),
                rec(1, 1, "GBPUSD", "bad")));

        DecodedBatch taken = batch.take(Set.of(new TopicPartition("ticks", 1)));

        assertThat(batch.days()).containsExactly(LocalDate.of(2026, 1, 19));
        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.offsets()).containsOnlyKeys(new TopicPartition("ticks", 0));
        assertThat(batch.records()).isEqualTo(1);
        assertThat(taken.days()).containsExactly(LocalDate.of(2026, 1, 20));
        assertThat(taken.rejected()).extracting(DecodedBatch.Rejected::reason).containsExactly("NOT_JSON");
        assertThat(taken.offsets()).containsExactly(java.util.Map.entry(new TopicPartition("ticks", 1), new OffsetAndMetadata(2)));
        assertThat(taken.records()).isEqualTo(2);
    }

    @Test
    void aBatchCountsTheBytesOfItsRecordsAndATakenPartTakesItsShare() {
        String tick = "{\"timestamp\":\"2026-01-19T10:00:00Z\",\"bid\":1,\"ask\":2}";
        DecodedBatch batch = decode(List.of(rec(0, 0, "EURUSD", tick), rec(1, 0, "GBPUSD", tick), rec(1, 1, "GBPUSD", "{")));
        long perTick = DecodedBatch.RECORD_OVERHEAD_BYTES + "EURUSD".length() + tick.length();
        long reject = DecodedBatch.RECORD_OVERHEAD_BYTES + "GBPUSD".length() + 1;
        assertThat(batch.bytes()).isEqualTo(2 * perTick + reject);

        DecodedBatch taken = batch.take(Set.of(new TopicPartition("ticks", 1)));
        assertThat(taken.bytes()).isEqualTo(perTick + reject);
        assertThat(batch.bytes()).isEqualTo(perTick);
        assertThat(batch.days()).containsExactly(LocalDate.of(2026, 1, 19));
    }
}
