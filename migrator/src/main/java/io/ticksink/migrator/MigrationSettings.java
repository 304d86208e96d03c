package io.ticksink.migrator;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated settings of one run, as {@link MigratorConfig} reads them from the command line.
 * Immutable.
 *
 * @param inputDir the archive, {@code <input-dir>/<SYMBOL>/<YYYY-MM-DD>.json}
 * @param outputDir the data dir of the day files; also holds the ledger and the rejects report
 * @param threads parser threads
 * @param writers writer threads, each owning a share of the days
 * @param batchSize ticks per chunk and per transaction
 * @param maxQueuedTicks ticks parsed but not yet committed, at most
 * @param busyTimeout how long SQLite waits for another writer's lock before a retry
 * @param retryFor how long a write is retried before its files are given up for this run
 * @param dryRun parse and report, write nothing
 * @param verify compare counts per symbol and day between source and day files at the end
 */
record MigrationSettings(
        Path inputDir,
        Path outputDir,
        int threads,
        int writers,
        int batchSize,
        int maxQueuedTicks,
        Duration busyTimeout,
        Duration retryFor,
        boolean dryRun,
        boolean verify) {
}
