package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The pure part of redrive: reading a dead letter, the record sent again, and the filter. */
class RedriveLogicTest {

    @Test
    void theHeadersTheConsumerAppendedAreTakenOffAndTheRecordsOwnStayInOrder() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", bytes("t1"));
        // the original record's own header of a name ticksink also uses (say, a dead letter piped back by hand)
        headers.add(DeadLetter.REASON, bytes("ITS-OWN"));
        headers.add("b3", bytes("x"));
        appendConsumerHeaders(headers, "BAD_SYMBOL", "ticks", "2", "41");

        DeadLetter d = DeadLetter.of(dlqRecord(headers)).orElseThrow();

        assertThat(d.reason()).isEqualTo("BAD_SYMBOL");
        assertThat(d.sourceCoordinates()).isEqualTo("ticks-2@41");
        assertThat(d.coordinates()).isEqualTo("ticks.dlq-1@7");
        assertThat(d.time()).isEqualTo(1_768_809_600_000L);
        assertThat(keysOf(d.headers())).containsExactly("trace-id", DeadLetter.REASON, "b3");
    }

    @Test
    void theRecordSentAgainHasTheOriginalKeyValueAndHeadersPlusTheRedriveHeadersAndNoPartitionOrTime() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", bytes("t1"));
        headers.add(DeadLetter.REDRIVEN_FROM, bytes("an earlier redrive's"));
        appendConsumerHeaders(headers, "NOT_JSON", "ticks", "0", "5");

        ProducerRecord<byte[], byte[]> out = DeadLetter.of(dlqRecord(headers)).orElseThrow().redriveTo("ticks-v2");

        assertThat(out.topic()).isEqualTo("ticks-v2");
        assertThat(out.partition()).as("partitioned by key").isNull();
        assertThat(out.timestamp()).as("stamped when sent").isNull();
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("EURUSD");
        assertThat(new String(out.value(), StandardCharsets.UTF_8)).isEqualTo("{bad");
        assertThat(keysOf(out.headers())).containsExactly("trace-id", DeadLetter.REDRIVEN_FROM, DeadLetter.REDRIVEN_SOURCE);
        assertThat(new String(out.headers().lastHeader(DeadLetter.REDRIVEN_FROM).value(), StandardCharsets.UTF_8))
                .isEqualTo("ticks.dlq-1@7");
        assertThat(new String(out.headers().lastHeader(DeadLetter.REDRIVEN_SOURCE).value(), StandardCharsets.UTF_8))
                .isEqualTo("ticks-0@5");
    }

    @Test
    void aRecordWithoutTheReasonOrTheSourceCoordinatesIsNoDeadLetterOfOurs() {
        RecordHeaders noReason = new RecordHeaders();
        noReason.add(DeadLetter.SOURCE_TOPIC, bytes("ticks"));
        noReason.add(DeadLetter.SOURCE_PARTITION, bytes("0"));
        noReason.add(DeadLetter.SOURCE_OFFSET, bytes("1"));
        RecordHeaders badOffset = new RecordHeaders();
        appendConsumerHeaders(badOffset, "NOT_JSON", "ticks", "0", "x");

        assertThat(DeadLetter.of(dlqRecord(new RecordHeaders()))).isEqualTo(Optional.empty());
        assertThat(DeadLetter.of(dlqRecord(noReason))).isEqualTo(Optional.empty());
        assertThat(DeadLetter.of(dlqRecord(badOffset))).isEqualTo(Optional.empty());
    }

    @Test
    void theFilterChoosesByReasonSourcePartitionIncludedOffsetsAndAHalfOpenTimeRange() {
        DeadLetter d = deadLetter("BAD_SYMBOL", 2, 41, 1_000);

        assertThat(RedriveFilter.ALL.accepts(d)).isTrue();
        assertThat(filter(Set.of("BAD_SYMBOL", "NOT_JSON"), Set.of(), null, null, null, null).accepts(d)).isTrue();
        assertThat(filter(Set.of("NOT_JSON"), Set.of(), null, null, null, null).accepts(d)).isFalse();
        assertThat(filter(Set.of(), Set.of(1, 2), null, null, null, null).accepts(d)).isTrue();
        assertThat(filter(Set.of(), Set.of(0), null, null, null, null).accepts(d)).isFalse();
        assertThat(filter(Set.of(), Set.of(), 41L, 41L, null, null).accepts(d)).isTrue();
        assertThat(filter(Set.of(), Set.of(), 42L, null, null, null).accepts(d)).isFalse();
        assertThat(filter(Set.of(), Set.of(), null, 40L, null, null).accepts(d)).isFalse();
        assertThat(filter(Set.of(), Set.of(), null, null, 1_000L, 1_001L).accepts(d)).isTrue();
        assertThat(filter(Set.of(), Set.of(), null, null, null, 1_000L).accepts(d)).isFalse();
        assertThat(filter(Set.of(), Set.of(), null, null, 1_001L, null).accepts(d)).isFalse();
    }

    private static RedriveFilter filter(Set<String> reasons, Set<Integer> partitions, Long from, Long to, Long since,
                                        Long until) {
        return new RedriveFilter(reasons, partitions, from, to, since, until);
    }

    private static DeadLetter deadLetter(String reason, int sourcePartition, long sourceOffset, long time) {
        return new DeadLetter("dlq", 0, 0, time, reason, "ticks", sourcePartition, sourceOffset, null, null, List.of());
    }

    private static void appendConsumerHeaders(RecordHeaders headers, String reason, String topic, String partition,
                                              String offset) {
        headers.add(DeadLetter.REASON, bytes(reason));
        headers.add(DeadLetter.DETAIL, bytes("why"));
        headers.add(DeadLetter.SOURCE_TOPIC, bytes(topic));
        headers.add(DeadLetter.SOURCE_PARTITION, bytes(partition));
        headers.add(DeadLetter.SOURCE_OFFSET, bytes(offset));
        headers.add(DeadLetter.SOURCE_TIMESTAMP, bytes("1768809000000"));
    }

    private static ConsumerRecord<byte[], byte[]> dlqRecord(RecordHeaders headers) {
        return new ConsumerRecord<>("ticks.dlq", 1, 7, 1_768_809_600_000L, TimestampType.CREATE_TIME, 6, 5,
                bytes("EURUSD"), bytes("{bad"), headers, Optional.empty());
    }

    private static List<String> keysOf(Iterable<Header> headers) {
        List<String> keys = new ArrayList<>();
        headers.forEach(h -> keys.add(h.key()));
        return keys;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
