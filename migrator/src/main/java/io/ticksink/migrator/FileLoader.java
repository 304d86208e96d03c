package io.ticksink.migrator;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.MigrationLedger;
import io.ticksink.schema.RejectReason;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parse stage driver for one file at a time: fingerprint it, skip it when the ledger lists it
 * with the same fingerprint, else read its records, route the ticks to day chunks and hand the
 * chunks to the writers. Rejected records go to the report.
 *
 * <p>Not thread safe: one loader per parsing thread (it owns a {@link RecordReader}).
 */
final class FileLoader {

    private static final Logger log = LoggerFactory.getLogger(FileLoader.class);

    private final RecordReader reader;
    private final MigrationLedger ledger;          // null in a dry run
    private final WritePool writers;               // null in a dry run
    private final RejectsReport report;
    private final RunTotals totals;
    private final SourceCounts sourceCounts;       // null unless verifying
    private final int batchSize;

    FileLoader(TickDecoder decoder, MigrationLedger ledger, WritePool writers, RejectsReport report,
               RunTotals totals, SourceCounts sourceCounts, int batchSize) {
        this.reader = new RecordReader(decoder);
        this.ledger = ledger;
        this.writers = writers;
        this.report = report;
        this.totals = totals;
        this.sourceCounts = sourceCounts;
        this.batchSize = batchSize;
    }

    /**
     * Loads one file. The job is released for its parse on return; it completes once the
     * writers settled its chunks too.
     */
    void load(FileJob job) throws InterruptedException, StoreException {
        SourceFile source = job.source();
        try {
            job.fingerprint(SourceFingerprint.of(source.path()));
        } catch (IOException e) {
            job.problem(0, "cannot read the file: " + e);
            job.raise(FileJob.Outcome.BROKEN);
            totals.bytesRead(source.size());
            return;
        }
        boolean write = writers != null;
        if (ledger != null) {
            MigrationLedger.Entry loaded = ledger.entry(source.relativePath());
            if (loaded != null && !loaded.fingerprint().equals(job.fingerprint())) {
                job.problem(0, "changed since it was loaded: fingerprint was " + loaded.fingerprint() + ", is "
                        + job.fingerprint() + "; not loaded again");
                job.raise(FileJob.Outcome.CHANGED);
                totals.bytesRead(source.size());
                return;
            }
            // an unchecked entry (its day files lacked some of it, or an old ledger) loads again:
            // the day files skip what they hold and store what they lack
            if (loaded != null && loaded.checked()) {
                job.raise(FileJob.Outcome.ALREADY_LOADED);
                if (sourceCounts == null) {
                    totals.bytesRead(source.size());
                    return;
                }
                write = false; // parse only to count it for --verify
            }
        }
        parse(job, write);
    }

    private void parse(FileJob job, boolean write) throws InterruptedException {
        SourceFile source = job.source();
        Map<SourceCounts.Key, long[]> counts = sourceCounts != null ? new HashMap<>() : null;
        DayRouter router = new DayRouter(job.stream(), job.fingerprint(), batchSize, chunk -> {
            if (write && !job.abandoned()) {
                job.handedOver(chunk.day(), chunk.chunk().nextPosition());
                writers.submit(new WriteTask(job, chunk.day(), chunk.chunk()));
            }
        });
        long[] accepted = {0};
        long[] rejected = {0};
        RecordReader.Handler handler = new RecordReader.Handler() {
            @Override
            public void tick(long position, Tick tick) throws InterruptedException {
                accepted[0]++;
                router.add(position, tick);
                if (counts != null) {
                    counts.computeIfAbsent(new SourceCounts.Key(DayFiles.day(tick.timestampMillis()), tick.symbol()),
                            k -> new long[1])[0]++;
                }
            }

            @Override
            public void reject(long position, RejectReason reason, String detail, String raw) {
                rejected[0]++;
                report.record(source.relativePath(), position, reason.name(), detail, raw);
            }
        };
        long records;
        try (InputStream in = open(source)) {
            records = reader.read(in, source.format(), source.directorySymbol(), handler);
            router.finish(records);
        } catch (BrokenSourceException e) {
            records = e.position();
            router.flush(); // the records before the break are good: store them
            job.problem(e.position(), "file breaks off after " + e.position() + " records: " + e.getMessage());
            job.raise(FileJob.Outcome.BROKEN);
        } catch (IOException e) {
            // opening failed (a bad gzip header) or closing did: nothing or everything was read
            records = accepted[0] + rejected[0];
            router.flush();
            job.problem(records, "cannot read the file: " + RecordReader.firstLine(e.getMessage()));
            job.raise(FileJob.Outcome.BROKEN);
        }
        if (rejected[0] > 0) {
            job.raise(FileJob.Outcome.LOADED_WITH_REJECTS);
        }
        job.parsed(records, rejected[0]);
        totals.parsed(records, accepted[0], rejected[0]);
        if (counts != null) {
            sourceCounts.add(counts);
        }
        log.debug("parsed {}: {} records, {} rejected", source.relativePath(), records, rejected[0]);
    }

    private InputStream open(SourceFile source) throws IOException {
        InputStream in = new CountingInputStream(Files.newInputStream(source.path()), totals);
        if (source.format().gzip()) {
            try {
                return new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw e;
            }
        }
        return in;
    }

    /** Counts raw bytes read, for the progress report: compressed bytes for a gzip file. */
    private static final class CountingInputStream extends FilterInputStream {
        private final RunTotals totals;

        CountingInputStream(InputStream in, RunTotals totals) {
            super(in);
            this.totals = totals;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                totals.bytesRead(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                totals.bytesRead(n);
            }
            return n;
        }
    }
}
