package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.TickStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PartitionIncarnationsTest {

    private static final TopicPartition TP = new TopicPartition("ticks", 3);

    private final Map<String, String> ids = new HashMap<>(Map.of("ticks", "A"));
    private final TickStore store = new TickStore(Path.of("unused"), io.ticksink.schema.StoreOptions.defaults());
    private final ConsumerMetrics metrics = new ConsumerMetrics(store);
    private final PartitionIncarnations incarnations = new PartitionIncarnations(ids::get, metrics);

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aPartitionWithoutCommittedOffsetIsTheTopicsIdAndItsFirstRecordsAreNoReset() {
        assertThat(incarnations.assigned(List.of(TP), Map.of())).isEmpty();
        incarnations.polled(records(0, 10));

        assertThat(incarnations.of(TP)).isEqualTo("A");
        assertThat(resets()).isZero();
    }

    @Test
    void theIncarnationCommittedWithTheOffsetIsKeptAcrossARestart() {
        incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(500, PartitionIncarnations.metadataOf("A#2@40"))));
        incarnations.polled(records(500, 10));

        assertThat(incarnations.of(TP)).isEqualTo("A#2@40");
        assertThat(resets()).isZero();
    }

    @Test
    void recordsBelowTheCommittedOffsetOfTheSameTopicStartAMarkedIncarnation() {
        incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(50_000, PartitionIncarnations.metadataOf("A"))));
        int version = incarnations.version();

        incarnations.polled(records(0, 10)); // an unclean leader election handed offsets out again

        assertThat(incarnations.of(TP)).isEqualTo("A#1@0");
        assertThat(incarnations.version()).isNotEqualTo(version);
        assertThat(resets()).isEqualTo(1);
        assertThat(metrics.scrape()).contains("cause=\"offsets-reused\"");

        incarnations.polled(records(10, 10));
        incarnations.polled(records(5, 3)); // and again, later: a second mark
        assertThat(incarnations.of(TP)).isEqualTo("A#2@5");
    }

    @Test
    void recordsBelowTheLastOnesPolledOfATopicWithANewIdTakeTheNewId() {
        incarnations.assigned(List.of(TP), Map.of());
        incarnations.polled(records(0, 100));
        ids.put("ticks", "B"); // deleted and created again while the consumer ran

        incarnations.polled(records(0, 10));

        assertThat(incarnations.of(TP)).isEqualTo("B");
        assertThat(metrics.scrape()).contains("cause=\"topic-recreated\"");
    }

    @Test
    void anOffsetCommittedForAnotherIdOfTheTopicIsStaleAndReadFromTheBeginning() {
        ids.put("ticks", "B");
        assertThat(incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(50_000,
                PartitionIncarnations.metadataOf("A"))))).containsExactly(TP);
        assertThat(incarnations.of(TP)).isEqualTo("B");

        incarnations.polled(records(0, 10));
        assertThat(resets()).isEqualTo(1); // the stale offset, counted once, not a second time for its records
    }

    @Test
    void aTopicCreatedAgainWhileTheConsumerRanIsToldApartWhenItsPartitionsAreAssignedAgain() {
        incarnations.assigned(List.of(TP), Map.of());
        incarnations.polled(records(0, 100));
        // the topic deleted: its partitions revoked, and the group's offsets of it deleted with it
        incarnations.released(List.of(TP));
        ids.put("ticks", "B");

        assertThat(incarnations.assigned(List.of(TP), Map.of())).isEmpty();

        // not the id learned before the deletion: the day files would skip the new records up to the old positions
        assertThat(incarnations.of(TP)).isEqualTo("B");
        assertThat(resets()).isEqualTo(1);
        assertThat(metrics.scrape()).contains("cause=\"topic-recreated\"");
    }

    @Test
    void anOffsetCommittedForTheOldTopicWhileTheConsumerRanIsStaleAtTheNextAssignment() {
        incarnations.assigned(List.of(TP), Map.of());
        incarnations.polled(records(0, 100));
        incarnations.released(List.of(TP));
        ids.put("ticks", "B");

        // an offset of the old topic committed (or kept) under the new one would skip its first 100 records
        assertThat(incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(100,
                PartitionIncarnations.metadataOf("A"))))).containsExactly(TP);
        assertThat(incarnations.of(TP)).isEqualTo("B");
    }

    @Test
    void anOffsetWithoutIncarnationFoundWhenTheTopicIdChangedIsStaleToo() {
        incarnations.assigned(List.of(TP), Map.of());
        incarnations.polled(records(0, 100));
        incarnations.released(List.of(TP));
        ids.put("ticks", "B");

        // committed by a version that kept no incarnation: it cannot be of the new topic, which this consumer never read
        assertThat(incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(100, "")))).containsExactly(TP);
        assertThat(incarnations.of(TP)).isEqualTo("B");
    }

    @Test
    void anAssignmentAsksForTheTopicsIdOnceWhateverThePartitionCount() {
        List<String> asked = new java.util.ArrayList<>();
        PartitionIncarnations counted = new PartitionIncarnations(topic -> {
            asked.add(topic);
            return "A";
        }, metrics);
        List<TopicPartition> partitions = java.util.stream.IntStream.range(0, 32)
                .mapToObj(p -> new TopicPartition("ticks", p)).toList();

        counted.assigned(partitions, Map.of());

        assertThat(asked).containsExactly("ticks");
        counted.assigned(partitions, Map.of()); // a rebalance: the same id, nothing to report
        assertThat(asked).containsExactly("ticks", "ticks");
        assertThat(resets()).isZero();
    }

    @Test
    void aBatchCommitsTheIncarnationOfItsRecordsAndKeepsTwoIncarnationsInOrder() {
        incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(100, PartitionIncarnations.metadataOf("A"))));
        DecodedBatch batch = new DecodedBatch(16, incarnations);
        BatchDecoder decoder = new BatchDecoder();
        ConsumerRecords<byte[], ByteBuffer> before = records(100, 3);
        incarnations.polled(before);
        before.forEach(r -> decoder.decodeInto(batch, r));
        ConsumerRecords<byte[], ByteBuffer> after = records(0, 2);
        incarnations.polled(after);
        after.forEach(r -> decoder.decodeInto(batch, r));

        assertThat(batch.chunks(java.time.LocalDate.of(2026, 1, 19))).extracting(c -> c.fingerprint() + ":" + c.size())
                .containsExactly("A:3", "A#1@0:2");
        assertThat(batch.offsets()).containsEntry(TP, new OffsetAndMetadata(2, PartitionIncarnations.metadataOf("A#1@0")));
    }

    @Test
    void aTopicCreatedAnewWhileItsPartitionsStayedOwnedIsFoundByTheRecheckAndItsPartitionsTakeTheNewId() {
        incarnations.assigned(List.of(TP), Map.of(TP, new OffsetAndMetadata(100, PartitionIncarnations.metadataOf("A"))));
        incarnations.polled(records(100, 10));
        assertThat(incarnations.recheck(List.of(TP))).isEmpty();

        ids.put("ticks", "B"); // no rebalance, and the new topic's offsets already beyond the old position
        incarnations.polled(records(110, 10));
        assertThat(incarnations.of(TP)).isEqualTo("A");

        assertThat(incarnations.recheck(List.of(TP))).containsExactly(TP);
        assertThat(incarnations.of(TP)).isEqualTo("B");
        assertThat(metrics.scrape()).contains("cause=\"topic-recreated\"");
        assertThat(incarnations.recheck(List.of(TP))).as("reported once").isEmpty();
        incarnations.polled(records(0, 10)); // read again from the beginning: no second reset
        assertThat(incarnations.of(TP)).isEqualTo("B");
    }

    private double resets() {
        return metrics.registry().find("ticksink.offsets.reset").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static ConsumerRecords<byte[], ByteBuffer> records(long from, int count) {
        List<ConsumerRecord<byte[], ByteBuffer>> list = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            long offset = from + i;
            String json = TestTicks.json("EURUSD", java.time.Instant.parse("2026-01-19T10:00:00Z").plusMillis(offset).toString(), 1.1, 1.2);
            list.add(new ConsumerRecord<>(TP.topic(), TP.partition(), offset, "EURUSD".getBytes(),
                    ByteBuffer.wrap(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        return new ConsumerRecords<>(Map.of(TP, list), Map.of());
    }
}
