package io.ticksink.tools;

/**
 * The counts of one audited range: each record audited has exactly one verdict; {@link
 * #unexpected} counts copies at offsets that hold no committed record of the topic (a control
 * marker, a record of an aborted transaction). Not thread safe.
 */
final class AuditTally {

    long audited;
    long storedOnce;
    long deadLettered;
    long missing;
    long duplicates;
    long misplaced;
    long unexpected;

    void count(AuditVerdict verdict) {
        audited++;
        switch (verdict) {
            case STORED_ONCE -> storedOnce++;
            case DEAD_LETTERED -> deadLettered++;
            case MISSING -> missing++;
            case DUPLICATE -> duplicates++;
            case MISPLACED -> misplaced++;
        }
    }

    void add(AuditTally other) {
        audited += other.audited;
        storedOnce += other.storedOnce;
        deadLettered += other.deadLettered;
        missing += other.missing;
        duplicates += other.duplicates;
        misplaced += other.misplaced;
        unexpected += other.unexpected;
    }

    /** Whether every record audited is stored once or dead-lettered, and nothing else is stored. */
    boolean complete() {
        return missing == 0 && duplicates == 0 && misplaced == 0 && unexpected == 0;
    }

    @Override
    public String toString() {
        return audited + " audited: " + storedOnce + " stored once, " + deadLettered + " dead-lettered, " + missing
                + " missing, " + duplicates + " duplicated, " + misplaced + " misplaced, " + unexpected + " unexpected";
    }
}
