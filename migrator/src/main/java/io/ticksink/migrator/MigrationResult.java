package io.ticksink.migrator;

import io.ticksink.cli.ExitCodes;
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

    /**
     * The worst condition wins: {@link ExitCodes#FATAL} for a run stopped early,
     * {@link ExitCodes#VERIFY_FAILED}, {@link ExitCodes#PROBLEM} for rejects or files not loaded,
     * else {@link ExitCodes#OK}.
     */
    int exitCode() {
        if (failure != null) {
            return ExitCodes.FATAL;
        }
        if (differences != null && !differences.isEmpty()) {
            return ExitCodes.VERIFY_FAILED;
        }
        if (totals.rejected() > 0 || problemFiles() > 0 || unprocessed > 0) {
            return ExitCodes.PROBLEM;
        }
        return ExitCodes.OK;
    }

    long problemFiles() {
        return count(FileJob.Outcome.BROKEN) + count(FileJob.Outcome.CHANGED) + count(FileJob.Outcome.WRITE_FAILED);
    }

    long count(FileJob.Outcome outcome) {
        return totals.outcomes().getOrDefault(outcome, 0L);
    }
}
