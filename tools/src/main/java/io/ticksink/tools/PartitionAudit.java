package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.RecordDecoder;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The merge-join of one partition's records, in offset order, with their copies in the store
 * ({@link StoredCopies}): each record's verdict is counted, and each finding other than stored
 * once or dead-lettered is printed with its coordinates. Records are decoded as the consumer
 * decodes them (the schema's {@link RecordDecoder}; the key is the symbol when the value has
 * none), to know the UTC day their tick belongs to.
 *
 * <p>Not thread safe.
 */
final class PartitionAudit {

    private final TopicPartition partition;
    private final LocalDate day;
    private final StoredCopies copies;
    private final PrintWriter out;
    private final RecordDecoder decoder = new RecordDecoder(new TickDecoder());
    private final RecordDigest digest = new RecordDigest();
    private final AuditTally tally = new AuditTally();
    private long foreignDeadLetters;

    /**
     * @param day when not null, only the records whose tick is of this UTC day are audited (a
     *     record that does not decode: when its Kafka timestamp is of this day); the copies of
     *     the others are passed over
     */
    PartitionAudit(TopicPartition partition, LocalDate day, StoredCopies copies, PrintWriter out) {
        this.partition = partition;
        this.day = day;
        this.copies = copies;
        this.out = out;
    }

    /** Audits the next record; records come in increasing offset order. */
    void record(ConsumerRecord<byte[], ByteBuffer> record) throws StoreException {
        List<AuditVerdict.Copy> found = ofThisRecord(record, copies.at(record.offset(), this::unexpected));
        LocalDate tickDay = tickDay(record);
        if (day != null && !day.equals(tickDay != null ? tickDay : DayFiles.day(record.timestamp()))) {
            return;
        }
        AuditVerdict verdict = AuditVerdict.of(tickDay, found);
        tally.count(verdict);
        String at = partition + "@" + record.offset();
        switch (verdict) {
            case MISSING -> out.println("MISSING    " + at + "  " + (tickDay == null
                    ? "does not decode and is not in the dead-letter topic" : "tick of " + tickDay + ", not stored"));
            case DUPLICATE -> out.println("DUPLICATE  " + at + "  " + found.size() + " copies: "
                    + String.join(", ", found.stream().map(PartitionAudit::describe).toList()));
            case MISPLACED -> out.println("MISPLACED  " + at + "  in " + found.get(0).location() + ", "
                    + (tickDay == null ? "but the record does not decode (it belongs in the dead-letter topic)"
                            : "but its tick is of " + tickDay));
            default -> { }
        }
    }

    /** Passes over the copies left after the last record of the range. */
    void finish() throws StoreException {
        copies.finish(this::unexpected);
    }

    /**
     * The copies without the dead letters of another record at these coordinates (their key and
     * value differ: a record of an earlier incarnation of the topic), which are counted instead.
     */
    private List<AuditVerdict.Copy> ofThisRecord(ConsumerRecord<byte[], ByteBuffer> record, List<AuditVerdict.Copy> found) {
        if (found.stream().noneMatch(AuditVerdict.Copy::deadLetter)) {
            return found;
        }
        long own = digest.of(record.key(), record.value());
        List<AuditVerdict.Copy> same = found.stream().filter(c -> !c.deadLetter() || c.digest() == own).toList();
        foreignDeadLetters += found.size() - same.size();
        return same;
    }

    /** Dead letters found at a record's coordinates that are of another record (different key or value). */
    long foreignDeadLetters() {
        return foreignDeadLetters;
    }

    AuditTally tally() {
        return tally;
    }

    /** A copy at an offset without a committed record (a transaction marker, an aborted record). */
    private void unexpected(StoredCopies.Positioned copy) {
        AuditVerdict.Copy c = copy.copy();
        if (day != null && c.day() != null && !day.equals(c.day())) {
            return;
        }
        tally.unexpected++;
        out.println("UNEXPECTED " + partition + "@" + copy.position() + "  " + describe(c)
                + ": the topic has no committed record at this offset");
    }

    private LocalDate tickDay(ConsumerRecord<byte[], ByteBuffer> record) {
        try {
            Tick tick = decoder.decode(record.value(), record.key());
            return DayFiles.day(tick.timestampMillis());
        } catch (TickRejectedException e) {
            return null;
        }
    }

    private static String describe(AuditVerdict.Copy copy) {
        return copy.deadLetter() ? copy.location() : "row in " + copy.location();
    }
}
