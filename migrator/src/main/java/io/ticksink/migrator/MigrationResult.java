package io.ticksink.migrator;

import java.nio.file.Path;
import java.util.List;

/**
 * What a run did, for the summary and the exit code. Immutable once the run has ended.
 *
 * @param scan the files found
 * @param totals the counters
 * @param reportLines lines written to the rejects report
 * @param report the rejects report, or {@code null} when it could not be opened
 * @param failure why the run stopped early, or {@code null}
 * @param unprocessed files not looked at because the run stopped early
 * @param differences verify differences, or {@code null} when not verified
 * @param dryRun nothing was written
 * @param elapsedNanos the run's duration
 */
record MigrationResult(
        SourceScanner.Scan scan,
        RunTotals totals,
        long reportLines,
        Path report,
        String failure,
        int unprocessed,
        List<CountVerifier.Difference> differences,
        boolean dryRun,
        long elapsedNanos) {

    /** Everything loaded (or found loaded), nothing rejected. */
    static final int EXIT_OK = 0;
    /** Some records or files were rejected, or changed since loaded, or could not be written. */
    static final int EXIT_INCOMPLETE = 1;
    /** Bad command line (picocli's code). */
    static final int EXIT_USAGE = 2;
    /** The run stopped: a condition retrying cannot fix, such as a corrupt day file. */
    static final int EXIT_FATAL = 3;
    /** {@code --verify} found counts that differ. */
    static final int EXIT_VERIFY_FAILED = 4;

    /** The worst condition wins. */
    int exitCode() {
        if (failure != null) {
            return EXIT_FATAL;
        }
        if (differences != null && !differences.isEmpty()) {
            return EXIT_VERIFY_FAILED;
        }
        if (totals.rejected() > 0 || problemFiles() > 0 || unprocessed > 0) {
            return EXIT_INCOMPLETE;
        }
        return EXIT_OK;
    }

    long problemFiles() {
        return count(FileJob.Outcome.BROKEN) + count(FileJob.Outcome.CHANGED) + count(FileJob.Outcome.WRITE_FAILED);
    }

    long count(FileJob.Outcome outcome) {
        return totals.outcomes().getOrDefault(outcome, 0L);
    }
}
