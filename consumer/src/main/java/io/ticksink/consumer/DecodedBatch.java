package io.ticksink.consumer;

import io.ticksink.schema.StreamChunk;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A batch of records after decoding: the ticks routed to their day files, one chunk per
 * partition and day; the rejected records bound for the dead-letter topic; and the offsets to
 * commit once all of it is durable.
 *
 * <p>Threads: the consumer thread builds a batch ({@code addTick}, {@code addRejected}, and
 * {@link #take} to split off the records of revoked partitions) and is its only user until it
 * hands it to the writer with {@link BatchWriter#submit}. From then on no thread changes it: the
 * writer thread reads its chunks, rejects and offsets, and after the writer settles it, the
 * consumer thread's {@link OffsetCommitter} reads its offsets, partitions and timestamps. The hand
 * over through the writer's executor, and back through its future, orders every change before
 * those reads. The writer keeps its progress (days written, dead letters made durable) in objects
 * of its own, never in the batch. Not thread safe otherwise.
 */
public final class DecodedBatch {

    /** A record that failed decoding, with why. */
    public record Rejected(ConsumerRecord<byte[], byte[]> record, String reason, String detail) {
        public TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    /** Which incarnation of a partition its records belong to: the fingerprint of its chunks and offsets. */
    interface Incarnations {
        String of(TopicPartition tp);

        /** Changes whenever an incarnation does. */
        int version();

        Incarnations NONE = new Incarnations() {
            @Override
            public String of(TopicPartition tp) {
                return null;
            }

            @Override
            public int version() {
                return 0;
            }
        };
    }

    /** A partition's chunk of one day; two incarnations of a partition in one batch have a chunk each, in order. */
    private record ChunkKey(TopicPartition partition, String incarnation) {
    }

    /** Per partition: one past its last offset in the batch, the bytes of its records, and their incarnation. */
    private static final class Progress {
        long next;
        long bytes;
        String incarnation;
    }

    private final Incarnations incarnations;
    private final TreeMap<LocalDate, Map<ChunkKey, StreamChunk>> days = new TreeMap<>();
    private final List<Rejected> rejected = new ArrayList<>();
    private final Map<TopicPartition, Progress> nextOffsets = new HashMap<>();
    private TopicPartition lastPartition;
    private String lastIncarnation;
    private int seenVersion;
    private Progress lastNextOffset;
    private LocalDate lastDay;
    private StreamChunk lastChunk;
    private int records;
    private int ticks;
    /** What the batch holds on the heap, roughly: the records' keys and values plus a fixed cost per record. */
    private long bytes;
    /** Kafka timestamps of the records added, in order; {@link #take} leaves them behind. */
    private long[] recordTimestamps;
    private int stamped;

    DecodedBatch() {
        this(256);
    }

    DecodedBatch(int expectedRecords) {
        this(expectedRecords, Incarnations.NONE);
    }

    DecodedBatch(int expectedRecords, Incarnations incarnations) {
        this.incarnations = incarnations;
        this.seenVersion = incarnations.version();
        recordTimestamps = new long[Math.max(expectedRecords, 16)];
    }

    void addTick(ConsumerRecord<byte[], ByteBuffer> record, LocalDate day, io.ticksink.schema.Tick tick) {
        TopicPartition tp = partitionOf(record);
        StreamChunk chunk = lastChunk;
        if (chunk == null || !day.equals(lastDay)) {
            String incarnation = lastIncarnation;
            chunk = days.computeIfAbsent(day, d -> new java.util.LinkedHashMap<>())
                    .computeIfAbsent(new ChunkKey(tp, incarnation),
                            k -> new StreamChunk(StreamChunk.kafkaStream(tp.topic(), tp.partition()), incarnation, 256));
            lastChunk = chunk;
            lastDay = day;
        }
        chunk.add(record.offset(), tick);
        ticks++;
        covered(record);
    }

    /** Records come partition by partition and mostly of one day: the last partition, day and chunk are reused. */
    private TopicPartition partitionOf(ConsumerRecord<byte[], ByteBuffer> record) {
        TopicPartition tp = lastPartition;
        if (tp == null || tp.partition() != record.partition() || !tp.topic().equals(record.topic())
                || seenVersion != incarnations.version()) {
            tp = new TopicPartition(record.topic(), record.partition());
            lastPartition = tp;
            lastIncarnation = incarnations.of(tp);
            seenVersion = incarnations.version();
            lastNextOffset = null;
            lastChunk = null;
        }
        return tp;
    }

    private void forgetLast() {
        lastPartition = null;
        lastNextOffset = null;
        lastChunk = null;
        lastDay = null;
    }

    void addRejected(ConsumerRecord<byte[], ByteBuffer> record, String reason, String detail) {
        rejected.add(new Rejected(copyOf(record), reason, detail));
        covered(record);
    }

    /** A decoded tick and its bookkeeping, roughly, besides its text (the record's value is an upper bound of that). */
    static final int RECORD_OVERHEAD_BYTES = 96;

    private static long sizeOf(ConsumerRecord<byte[], ByteBuffer> record) {
        return RECORD_OVERHEAD_BYTES + (record.key() == null ? 0 : record.key().length)
                + (record.value() == null ? 0 : record.value().remaining());
    }

    /** The record with its value copied out of the fetched buffer, for the dead-letter topic. */
    private static ConsumerRecord<byte[], byte[]> copyOf(ConsumerRecord<byte[], ByteBuffer> record) {
        ByteBuffer value = record.value();
        byte[] bytes = null;
        if (value != null) {
            bytes = new byte[value.remaining()];
            value.duplicate().get(bytes);
        }
        return new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.timestampType(), record.serializedKeySize(), record.serializedValueSize(), record.key(), bytes,
                record.headers(), record.leaderEpoch());
    }

    private void covered(ConsumerRecord<byte[], ByteBuffer> record) {
        if (stamped == recordTimestamps.length) {
            recordTimestamps = java.util.Arrays.copyOf(recordTimestamps, stamped * 2);
        }
        recordTimestamps[stamped++] = record.timestamp();
        records++;
        long size = sizeOf(record);
        bytes += size;
        TopicPartition tp = partitionOf(record);
        Progress next = lastNextOffset;
        if (next == null) {
            next = nextOffsets.computeIfAbsent(tp, p -> new Progress());
            lastNextOffset = next;
        }
        // the last record's, not the highest: offsets that went back start a new incarnation
        next.next = record.offset() + 1;
        next.incarnation = lastIncarnation;
        next.bytes += size;
    }

    /** The days of the batch's ticks, in order. */
    public Collection<LocalDate> days() {
        return Collections.unmodifiableSet(days.keySet());
    }

    public Collection<StreamChunk> chunks(LocalDate day) {
        return Collections.unmodifiableCollection(days.getOrDefault(day, Map.of()).values());
    }

    /** The rejected records, in the order they were read. */
    public List<Rejected> rejected() {
        return Collections.unmodifiableList(rejected);
    }

    /** The partitions the batch holds records of. */
    public Set<TopicPartition> partitions() {
        return Collections.unmodifiableSet(nextOffsets.keySet());
    }

    /** The offsets to commit once every tick and rejected record of the batch is durable. */
    public Map<TopicPartition, OffsetAndMetadata> offsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        nextOffsets.forEach((tp, next) -> offsets.put(tp,
                new OffsetAndMetadata(next.next, PartitionIncarnations.metadataOf(next.incarnation))));
        return offsets;
    }

    /**
     * Moves the ticks, rejects and offsets of some partitions into a batch of their own, for
     * writing them before those partitions are handed over.
     */
    public DecodedBatch take(Collection<TopicPartition> partitions) {
        forgetLast();
        DecodedBatch taken = new DecodedBatch(16, incarnations);
        for (Map.Entry<LocalDate, Map<ChunkKey, StreamChunk>> day : days.entrySet()) {
            java.util.Iterator<Map.Entry<ChunkKey, StreamChunk>> chunks = day.getValue().entrySet().iterator();
            while (chunks.hasNext()) {
                Map.Entry<ChunkKey, StreamChunk> chunk = chunks.next();
                if (partitions.contains(chunk.getKey().partition())) {
                    taken.days.computeIfAbsent(day.getKey(), d -> new java.util.LinkedHashMap<>())
                            .put(chunk.getKey(), chunk.getValue());
                    taken.ticks += chunk.getValue().size();
                    ticks -= chunk.getValue().size();
                    chunks.remove();
                }
            }
        }
        days.values().removeIf(Map::isEmpty);
        rejected.removeIf(r -> partitions.contains(r.partition()) && taken.rejected.add(r));
        for (TopicPartition tp : partitions) {
            Progress next = nextOffsets.remove(tp);
            if (next != null) {
                taken.nextOffsets.put(tp, next);
                taken.bytes += next.bytes;
                bytes -= next.bytes;
            }
        }
        taken.records = taken.ticks + taken.rejected.size();
        records -= taken.records;
        return taken;
    }

    public int records() {
        return records;
    }

    /**
     * The Kafka timestamps (producer create time, or broker append time) of up to {@code max} of the
     * records added to this batch, evenly spread: a sample, so its cost does not grow with the batch.
     * A batch split off by {@link #take} has none.
     */
    public long[] recordTimestamps(int max) {
        int step = Math.max(1, (stamped + max - 1) / max);
        long[] sample = new long[(stamped + step - 1) / step];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = recordTimestamps[i * step];
        }
        return sample;
    }

    /** Roughly what the batch holds on the heap, in bytes. */
    public long bytes() {
        return bytes;
    }

    public int ticks() {
        return ticks;
    }

    public boolean isEmpty() {
        return nextOffsets.isEmpty();
    }
}
