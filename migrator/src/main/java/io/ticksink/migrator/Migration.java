package io.ticksink.migrator;

import io.ticksink.schema.MigrationLedger;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration run: scan the archive, check the ledger against the day files, parse files on
 * {@code threads} parser threads, write day files on the writer threads, list completed files in
 * the ledger, then verify when asked.
 *
 * <p>Not thread safe; {@link #run} is called once.
 */
final class Migration {

    private static final Logger log = LoggerFactory.getLogger(Migration.class);

    private final MigrationSettings settings;
    private final ProgressReporter.Factory progress;

    Migration(MigrationSettings settings, ProgressReporter.Factory progress) {
        this.settings = settings;
        this.progress = progress;
    }

    MigrationResult run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        SourceScanner.Scan scan = new SourceScanner().scan(settings.inputDir());
        log.info("{} source files, {} MiB, in {}", scan.sources().size(), scan.totalBytes() >> 20,
                settings.inputDir());
        scan.ignored().forEach(p -> log.warn("ignoring {}: not <SYMBOL>/<file>.json, .jsonl or .ndjson (optionally .gz)", p));
        scan.skippedLinks().forEach(s -> log.warn("skipping {}: {}", s.path(), s.reason()));
        if (scan.linkedSources() > 0) {
            log.info("{} source files are reached through symbolic links", scan.linkedSources());
        }
        Files.createDirectories(settings.outputDir());

        RunTotals totals = new RunTotals();
        RunFailure failure = new RunFailure();
        SourceCounts sourceCounts = settings.verify() ? new SourceCounts() : null;
        StoreOptions storeOptions = StoreOptions.defaults()
                // the day files' positions roll back with their rows on a power loss, and a re-run
                // redoes what was lost (LedgerCheck distrusts ledger entries the day files do not
                // bear out), so the migrator does not pay for a sync per commit
                .withSynchronous(StoreOptions.Synchronous.NORMAL)
                .withBusyTimeout(settings.busyTimeout());
        AtomicInteger unprocessed = new AtomicInteger();

        try (RejectsReport report = new RejectsReport(settings.outputDir().resolve(RejectsReport.FILE_NAME));
             TickStore store = settings.dryRun() ? null : new TickStore(settings.outputDir(), storeOptions);
             MigrationLedger ledger = settings.dryRun() ? null : MigrationLedger.open(settings.outputDir(), storeOptions)) {
            if (ledger != null) {
                totals.reloading(new LedgerCheck(ledger, store).run());
            }
            FileCompletion completion = new FileCompletion(ledger, report, totals);
            ProgressReporter reporter = progress.start(totals, scan.sources().size(), scan.totalBytes());
            WritePool writers = store == null ? null : new WritePool(store, settings.writers(), settings.batchSize(),
                    settings.maxQueuedTicks(), settings.retryFor(), totals, failure, completion::completed);
            try {
                runParsers(scan.sources(), writers, ledger, report, totals, failure, sourceCounts, completion, unprocessed);
            } finally {
                if (writers != null) {
                    writers.finish();
                }
                reporter.close();
            }
            List<CountVerifier.Difference> differences = null;
            if (sourceCounts != null && !failure.failed()) {
                differences = new CountVerifier(settings.outputDir()).compare(sourceCounts.byDay());
            }
            return new MigrationResult(scan, totals, report.lines(), report.file(), failure.message(),
                    unprocessed.get(), differences, settings.dryRun(), System.nanoTime() - started);
        } catch (StoreException e) {
            // opening or checking the ledger failed: nothing was written
            return new MigrationResult(scan, totals, 0, null, e.getMessage(), scan.sources().size(), null,
                    settings.dryRun(), System.nanoTime() - started);
        }
    }

    private void runParsers(List<SourceFile> sources, WritePool writers, MigrationLedger ledger,
                            RejectsReport report, RunTotals totals, RunFailure failure,
                            SourceCounts sourceCounts, FileCompletion completion, AtomicInteger unprocessed)
            throws InterruptedException {
        TickDecoder decoder = new TickDecoder();
        FileQueue queue = new FileQueue(sources, settings.threads());
        List<Thread> parsers = new ArrayList<>();
        for (int i = 0; i < settings.threads(); i++) {
            FileLoader loader = new FileLoader(decoder, ledger, writers, report, totals, sourceCounts,
                    settings.batchSize());
            int lane = i;
            Thread parser = new Thread(() -> {
                SourceFile source;
                while ((source = queue.next(lane)) != null) {
                    if (failure.failed()) {
                        unprocessed.incrementAndGet();
                        continue;
                    }
                    FileJob job = new FileJob(source, writers != null);
                    try {
                        loader.load(job);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failure.fail("parser interrupted", e);
                    } catch (StoreException e) {
                        failure.fail("cannot read the ledger: " + e.getMessage(), e);
                    } catch (RuntimeException e) {
                        failure.fail("unexpected error loading " + job.source().relativePath() + ": " + e, e);
                    }
                    if (job.release()) {
                        completion.completed(job);
                    }
                }
            }, "parser-" + i);
            parsers.add(parser);
            parser.start();
        }
        for (Thread parser : parsers) {
            parser.join();
        }
    }
}
