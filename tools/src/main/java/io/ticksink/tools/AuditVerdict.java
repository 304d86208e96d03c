package io.ticksink.tools;

import java.time.LocalDate;
import java.util.List;

/**
 * What the audit finds for one record of the topic, from the copies of it in the store: pure
 * logic, no I/O. A copy is a row in a day file (with the file's day) or a dead letter (no day).
 */
enum AuditVerdict {
    /** One row, in the day file of its tick's UTC day. */
    STORED_ONCE,
    /** No row, one dead letter. */
    DEAD_LETTERED,
    /** Neither a row nor a dead letter. */
    MISSING,
    /** More than one copy, rows and dead letters together. */
    DUPLICATE,
    /** One row, in a day file of another day than its tick's, or a row of a record that does not decode. */
    MISPLACED;

    /**
     * One copy of a record: a row of the day file {@code location} of {@code day}, or a dead
     * letter ({@code day} null) whose key and value have the {@link RecordDigest} {@code digest}.
     */
    record Copy(LocalDate day, String location, long digest) {
        Copy(LocalDate day, String location) {
            this(day, location, 0);
        }

        boolean deadLetter() {
            return day == null;
        }
    }

    /**
     * @param tickDay the UTC day of the record's tick as the consumer decodes it, or {@code null}
     *     when the record does not decode (the consumer dead-letters it)
     */
    static AuditVerdict of(LocalDate tickDay, List<Copy> copies) {
        if (copies.isEmpty()) {
            return MISSING;
        }
        if (copies.size() > 1) {
            return DUPLICATE;
        }
        Copy copy = copies.get(0);
        if (copy.deadLetter()) {
            // a record the consumer dead-lettered may decode now (a newer build accepts more): still dead-lettered once
            return DEAD_LETTERED;
        }
        return copy.day().equals(tickDay) ? STORED_ONCE : MISPLACED;
    }
}
