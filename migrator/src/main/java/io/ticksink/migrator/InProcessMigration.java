package io.ticksink.migrator;

import io.ticksink.schema.RejectReason;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The migrator inside the caller's JVM, for the benchmark: one run with the command line's
 * defaults, and the migrator's own reading of an archive without storing it. Not part of the
 * product's interface; the command line ({@link Main}) is.
 */
public final class InProcessMigration {

    private InProcessMigration() {
    }

    /**
     * What one run did.
     *
     * @param committed ticks committed to day files
     * @param exitCode the exit code the command line would have returned
     * @param elapsedNanos from the scan of the input to the last commit
     */
    public record Outcome(long committed, int exitCode, long elapsedNanos) {
    }

    /**
     * Migrates the archive under {@code inputDir} into day files under {@code outputDir} with the
     * command line's defaults: one parser thread per core, {@code min(cores, 4)} writers, 50,000-tick
     * transactions, no verify, no progress output. Blocks until the run has ended.
     */
    public static Outcome run(Path inputDir, Path outputDir) throws IOException, InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        MigrationSettings settings = new MigrationSettings(inputDir, outputDir, cores, Math.max(1, Math.min(cores, 4)),
                50_000, 200_000, Duration.ofSeconds(5), Duration.ofMinutes(1), false, false);
        MigrationResult result = new Migration(settings, ProgressReporter.NONE).run();
        return new Outcome(result.totals().committed(), result.exitCode(), result.elapsedNanos());
    }

    /**
     * Hands {@code each} every tick of the archive under {@code inputDir}, file by file in the order
     * the migrator scans them (gzip files unpacked) and in file order within a file, on the calling
     * thread; nothing is written. A record the migrator would reject throws {@link IllegalStateException}; a file it
     * cannot read to its end, {@link IOException}.
     */
    public static void read(Path inputDir, Consumer<Tick> each) throws IOException, InterruptedException {
        RecordReader reader = new RecordReader(new TickDecoder());
        for (SourceFile f : new SourceScanner().scan(inputDir).sources()) {
            try (InputStream file = Files.newInputStream(f.path());
                 InputStream in = f.format().gzip() ? new GZIPInputStream(file, 1 << 16) : file) {
                reader.read(in, f.format(), f.directorySymbol(), new RecordReader.Handler() {
                    @Override
                    public void tick(long position, Tick tick) {
                        each.accept(tick);
                    }

                    @Override
                    public void reject(long position, RejectReason reason, String detail, String raw) {
                        throw new IllegalStateException(f.relativePath() + " at " + position + ": " + detail);
                    }
                });
            } catch (BrokenSourceException e) {
                throw new IOException(f.relativePath() + ": " + e.getMessage(), e);
            }
        }
    }
}
