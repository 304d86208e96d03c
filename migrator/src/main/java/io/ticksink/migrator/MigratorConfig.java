package io.ticksink.migrator;

import io.ticksink.cli.BusyTimeoutOption;
import io.ticksink.cli.Durations;
import io.ticksink.cli.VersionProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every option of the migrator with its name, default, documentation and validation. The README's
 * option table follows {@code --help}.
 *
 * <p>Not thread safe: filled by picocli, then read once by {@link #settings()}.
 */
@Command(name = "ticksink-migrator", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = VersionProvider.class,
        description = {
            "Loads the legacy JSON tick archive <input-dir>/<SYMBOL>/<YYYY-MM-DD>.json (also .jsonl, .ndjson, "
                    + "each optionally .gz) into the daily databases <output-dir>/YYYY/MM/ticks_YYYY-MM-DD.db.",
            "Idempotent and resumable: run it again after a crash or on the same archive and nothing is stored twice."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every file loaded (or found loaded), no record rejected",
            "1:records or files rejected, files changed since loaded, or writes given up (see the report)",
            "2:bad command line",
            "4:--verify found counts that differ",
            "5:stopped by a condition retrying cannot fix (corrupt day file, newer schema)"})
final class MigratorConfig {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Option(names = "--input-dir", required = true, paramLabel = "DIR",
            description = "The archive: one directory per symbol holding one file per day.")
    Path inputDir;

    @Option(names = "--output-dir", required = true, paramLabel = "DIR",
            description = "The data dir of the day files (the consumer's --data-dir). Also holds "
                    + "migration-ledger.db and migration-rejects.jsonl.")
    Path outputDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "Parser threads (default: the number of cores, ${DEFAULT-VALUE}).")
    int threads = CORES;

    @Option(names = "--writers", paramLabel = "N",
            description = "Writer threads; each writes its share of the day files, one transaction at a time "
                    + "(default: ${DEFAULT-VALUE}).")
    int writers = Math.max(1, Math.min(CORES, 4));

    @Option(names = "--batch-size", paramLabel = "TICKS",
            description = "Ticks per transaction and day file (default: ${DEFAULT-VALUE}). Large transactions "
                    + "are what makes SQLite fast; smaller ones hold a live consumer up less.")
    int batchSize = 50_000;

    @Option(names = "--max-queued-ticks", paramLabel = "TICKS",
            description = "Ticks parsed but not yet written, at most: bounds memory (default: ${DEFAULT-VALUE}, "
                    + "about 75 bytes each).")
    int maxQueuedTicks = 200_000;

    @Mixin
    BusyTimeoutOption busy;

    @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "How long a failing write (busy, locked, I/O, disk full) is retried before its files are "
                    + "given up for this run (default: ${DEFAULT-VALUE}).")
    Duration retryFor;

    @Option(names = "--dry-run",
            description = "Parse every file and report rejects; write no day file and no ledger.")
    boolean dryRun;

    @Option(names = "--verify",
            description = "At the end, compare the ticks per symbol and day of the source files with the rows "
                    + "of the day files and print the differences (parses files already loaded, too).")
    boolean verify;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "bar, log or none (default: bar on a terminal, else log).")
    String progress;

    @Option(names = "--progress-interval", paramLabel = "SECONDS",
            description = "Seconds between progress log lines (default: ${DEFAULT-VALUE}).")
    int progressInterval = 10;

    /** Checks the options together; throws with a message that names the option. */
    MigrationSettings settings() {
        if (!Files.isDirectory(inputDir)) {
            throw new IllegalArgumentException("--input-dir " + inputDir + " is not a directory");
        }
        requireAtLeast("--threads", threads, 1);
        requireAtLeast("--writers", writers, 1);
        requireAtLeast("--batch-size", batchSize, 1);
        requireAtLeast("--progress-interval", progressInterval, 1);
        if (maxQueuedTicks < batchSize) {
            throw new IllegalArgumentException("--max-queued-ticks (" + maxQueuedTicks
                    + ") must be at least --batch-size (" + batchSize + ")");
        }
        if (busy.busyTimeout.isNegative() || retryFor.isNegative()) {
            throw new IllegalArgumentException("--busy-timeout and --retry-for must not be negative");
        }
        if (progress != null && !progress.matches("bar|log|none")) {
            throw new IllegalArgumentException("--progress must be bar, log or none, is " + progress);
        }
        return new MigrationSettings(inputDir.toAbsolutePath().normalize(), outputDir.toAbsolutePath().normalize(),
                threads, writers, batchSize, maxQueuedTicks, busy.busyTimeout, retryFor, dryRun, verify);
    }

    /** The progress display: {@code --progress}, else a bar on a terminal and log lines elsewhere. */
    ProgressReporter.Factory progressReporter() {
        String mode = progress != null ? progress : System.console() != null ? "bar" : "log";
        return switch (mode) {
            case "bar" -> ProgressReporter.bar();
            case "none" -> ProgressReporter.NONE;
            default -> ProgressReporter.log(progressInterval);
        };
    }

    private static void requireAtLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", is " + value);
        }
    }
}
