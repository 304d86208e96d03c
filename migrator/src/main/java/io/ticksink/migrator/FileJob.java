package io.ticksink.migrator;

import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One source file on its way through the stages. The parsing thread and the writers hold it;
 * it is complete when the parse has ended and every chunk handed to a writer was committed (or
 * given up), and exactly one caller of {@link #release()} learns that.
 *
 * <p>Thread safe.
 */
final class FileJob {

    /** How a file ended. The order is the severity: the worst outcome reached wins. */
    enum Outcome {
        /** Every record stored or found stored, none rejected. */
        LOADED,
        /** Listed in the ledger with the same fingerprint: not parsed again. */
        ALREADY_LOADED,
        /** Parsed completely, but some records were rejected; the others are stored. */
        LOADED_WITH_REJECTS,
        /** Truncated, malformed beyond recovery or unreadable: the records before the break are stored. */
        BROKEN,
        /** Loaded before with another fingerprint: not loaded, so nothing is stored twice. */
        CHANGED,
        /** A write was given up (retries exhausted or a fatal store error): run again. */
        WRITE_FAILED
    }

    private final SourceFile source;
    private final boolean write;
    private volatile String fingerprint;
    private final AtomicInteger pending = new AtomicInteger(1); // the parse itself
    private volatile Outcome outcome = Outcome.LOADED;
    private volatile long records;
    private volatile long problemPosition;
    private volatile String problem;
    private volatile long rejected;
    private final Map<LocalDate, Long> dayPositions = new ConcurrentHashMap<>();

    /** @param write whether the file's chunks are written, or only counted */
    FileJob(SourceFile source, boolean write) {
        this.source = source;
        this.write = write;
    }

    SourceFile source() {
        return source;
    }

    String stream() {
        return io.ticksink.schema.StreamChunk.fileStream(source.relativePath());
    }

    boolean writes() {
        return write;
    }

    String fingerprint() {
        return fingerprint;
    }

    void fingerprint(String value) {
        fingerprint = value;
    }

    /**
     * A chunk bound for {@code day} ending at stream position {@code nextPosition} was handed to a
     * writer: once it committed, that day file holds the file's position at least that far.
     */
    void handedOver(LocalDate day, long nextPosition) {
        dayPositions.merge(day, nextPosition, Math::max);
    }

    /** Per day file written, the stream position it holds once every chunk committed. */
    Map<LocalDate, Long> dayPositions() {
        return new TreeMap<>(dayPositions);
    }

    /** A chunk was handed to a writer; it must {@link #release()} once the chunk is settled. */
    void hold() {
        pending.incrementAndGet();
    }

    /** Settles the parse or one chunk; returns true to the one caller that completes the file. */
    boolean release() {
        return pending.decrementAndGet() == 0;
    }

    /** Raises the outcome to {@code worse} unless a worse one was reached already. */
    synchronized void raise(Outcome worse) {
        if (worse.compareTo(outcome) > 0) {
            outcome = worse;
        }
    }

    Outcome outcome() {
        return outcome;
    }

    /** True once nothing more of this file should be written. */
    boolean abandoned() {
        Outcome o = outcome;
        return o == Outcome.CHANGED || o == Outcome.WRITE_FAILED;
    }

    /** Describes what went wrong with the whole file, for the report. */
    void problem(long position, String detail) {
        problemPosition = position;
        problem = detail;
    }

    String problem() {
        return problem;
    }

    long problemPosition() {
        return problemPosition;
    }

    void parsed(long recordCount, long rejectedCount) {
        records = recordCount;
        rejected = rejectedCount;
    }

    long records() {
        return records;
    }

    long rejected() {
        return rejected;
    }
}
