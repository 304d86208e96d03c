package io.ticksink.migrator;

import io.ticksink.schema.MigrationLedger;
import io.ticksink.schema.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens once a file has no more work in flight: a file loaded without any reject is
 * listed in the ledger (only now: every one of its day writes committed before), a file with a
 * problem is reported, and the totals learn the outcome.
 *
 * <p>Thread safe: called from parser and writer threads.
 */
final class FileCompletion {

    private static final Logger log = LoggerFactory.getLogger(FileCompletion.class);

    private final MigrationLedger ledger; // null in a dry run
    private final RejectsReport report;
    private final RunTotals totals;

    FileCompletion(MigrationLedger ledger, RejectsReport report, RunTotals totals) {
        this.ledger = ledger;
        this.report = report;
        this.totals = totals;
    }

    void completed(FileJob job) {
        FileJob.Outcome outcome = job.outcome();
        String file = job.source().relativePath();
        switch (outcome) {
            case LOADED -> {
                if (ledger != null && job.writes()) {
                    try {
                        ledger.recordLoaded(file, job.fingerprint(), job.records(), job.dayPositions());
                    } catch (StoreException e) {
                        // the day files hold the truth; a re-run re-parses this file and stores nothing twice
                        log.warn("cannot list {} in the ledger: {}", file, e.getMessage());
                    }
                }
            }
            case ALREADY_LOADED, LOADED_WITH_REJECTS -> {
                // listed already, or listed never: a re-run reports its rejects again
            }
            case BROKEN -> problem(job, "BROKEN_FILE", "is broken");
            case CHANGED -> problem(job, "SOURCE_CHANGED", "changed since it was loaded; not loaded");
            case WRITE_FAILED -> problem(job, "WRITE_FAILED", "could not be written completely; run again");
        }
        totals.fileDone(outcome);
    }

    private void problem(FileJob job, String reason, String fallback) {
        String detail = job.problem() != null ? job.problem() : fallback;
        log.warn("{}: {}", job.source().relativePath(), detail);
        report.file(job.source().relativePath(), job.problemPosition(), reason, detail);
    }
}
