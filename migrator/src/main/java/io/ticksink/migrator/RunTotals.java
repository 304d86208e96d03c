package io.ticksink.migrator;

import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of a run, fed by every stage and read by the progress report and the summary.
 *
 * <p>Thread safe; reads taken while the run goes on are approximate.
 */
final class RunTotals {

    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder records = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final LongAdder filesDone = new LongAdder();
    private volatile int reloading;
    private final Map<FileJob.Outcome, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<LocalDate, long[]> perDay = new ConcurrentHashMap<>();

    void bytesRead(long n) {
        bytesRead.add(n);
    }

    void parsed(long recordCount, long acceptedCount, long rejectedCount) {
        records.add(recordCount);
        accepted.add(acceptedCount);
        rejected.add(rejectedCount);
    }

    /** A write of {@code day} committed: {@code stored} new ticks, {@code skipped} found stored. */
    void committed(LocalDate day, long stored, long skipped) {
        committed.add(stored + skipped);
        long[] counts = perDay.computeIfAbsent(day, d -> new long[2]);
        synchronized (counts) {
            counts[0] += stored;
            counts[1] += skipped;
        }
    }

    void fileDone(FileJob.Outcome outcome) {
        outcomes.computeIfAbsent(outcome, o -> new LongAdder()).increment();
        filesDone.increment();
    }

    /** {@code files} listed in the ledger were found missing from day files, and load again. */
    void reloading(int files) {
        reloading = files;
    }

    int reloading() {
        return reloading;
    }

    long bytesRead() {
        return bytesRead.sum();
    }

    long records() {
        return records.sum();
    }

    long accepted() {
        return accepted.sum();
    }

    long rejected() {
        return rejected.sum();
    }

    /** Ticks whose write committed, stored now or found stored before. */
    long committed() {
        return committed.sum();
    }

    long filesDone() {
        return filesDone.sum();
    }

    Map<FileJob.Outcome, Long> outcomes() {
        Map<FileJob.Outcome, Long> copy = new EnumMap<>(FileJob.Outcome.class);
        outcomes.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** Per day: {stored, already present}, sorted by day. */
    Map<LocalDate, long[]> perDay() {
        Map<LocalDate, long[]> copy = new TreeMap<>();
        perDay.forEach((day, counts) -> {
            synchronized (counts) {
                copy.put(day, counts.clone());
            }
        });
        return copy;
    }
}
