package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RecordBufferTest {

    private static final long MS = 1_000_000L;

    private static ConsumerRecord<String, String> rec(int partition, long offset) {
        return new ConsumerRecord<>("ticks", partition, offset, "K", "V" + offset);
    }

    @Test
    void aBatchIsReadyWhenFull() {
        RecordBuffer<String, String> buffer = new RecordBuffer<>(3, 1_000 * MS);
        buffer.addAll(List.of(rec(0, 0), rec(0, 1)), 0);
        assertThat(buffer.isReady(0)).isFalse();
        buffer.addAll(List.of(rec(0, 2)), 0);
        assertThat(buffer.isReady(0)).isTrue();
    }

    @Test
    void aBatchIsReadyWhenItsFirstRecordLingeredLongEnough() {
        RecordBuffer<String, String> buffer = new RecordBuffer<>(100, 50 * MS);
        assertThat(buffer.isReady(1_000 * MS)).as("an empty buffer is never due").isFalse();
        buffer.addAll(List.of(rec(0, 0)), 10 * MS);
        buffer.addAll(List.of(rec(0, 1)), 40 * MS);
        assertThat(buffer.isReady(59 * MS)).isFalse();
        assertThat(buffer.nanosUntilDue(59 * MS, 200 * MS)).isEqualTo(MS);
        assertThat(buffer.isReady(60 * MS)).isTrue();
        assertThat(buffer.nanosUntilDue(80 * MS, 200 * MS)).isZero();
    }

    @Test
    void anEmptyBufferPollsForTheIdleTime() {
        RecordBuffer<String, String> buffer = new RecordBuffer<>(100, 50 * MS);
        assertThat(buffer.nanosUntilDue(0, 200 * MS)).isEqualTo(200 * MS);
    }

    @Test
    void drainingEmptiesTheBufferAndRestartsTheLinger() {
        RecordBuffer<String, String> buffer = new RecordBuffer<>(100, 50 * MS);
        buffer.addAll(List.of(rec(0, 0), rec(1, 0)), 0);
        assertThat(buffer.drain()).extracting(ConsumerRecord::partition).containsExactly(0, 1);
        assertThat(buffer.isEmpty()).isTrue();
        buffer.addAll(List.of(rec(0, 1)), 100 * MS);
        assertThat(buffer.isReady(120 * MS)).isFalse();
    }

    @Test
    void drainingSomePartitionsKeepsTheOthersInOrder() {
        RecordBuffer<String, String> buffer = new RecordBuffer<>(100, 50 * MS);
        buffer.addAll(List.of(rec(0, 0), rec(1, 0), rec(0, 1), rec(2, 0), rec(1, 1)), 0);
        List<ConsumerRecord<String, String>> revoked = buffer.drain(Set.of(new TopicPartition("ticks", 1)));
        assertThat(revoked).extracting(ConsumerRecord::offset).containsExactly(0L, 1L);
        assertThat(buffer.drain()).extracting(r -> r.partition() + "@" + r.offset()).containsExactly("0@0", "0@1", "2@0");
    }
}
