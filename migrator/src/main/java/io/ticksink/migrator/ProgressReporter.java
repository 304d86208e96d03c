package io.ticksink.migrator;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Report stage: shows how far a run is, from the run's counters. On a terminal a progress bar
 * over the input bytes (its ETA follows from them), with files, ticks and ticks/s beside it;
 * elsewhere (a log file, CI) one log line every interval.
 *
 * <p>Thread safe: it only reads the thread-safe counters, on its own scheduler thread.
 */
abstract class ProgressReporter implements AutoCloseable {

    /** Starts a reporter for a run of {@code files} files and {@code bytes} input bytes. */
    interface Factory {
        ProgressReporter start(RunTotals totals, int files, long bytes);
    }

    static final Factory NONE = (totals, files, bytes) -> new ProgressReporter(totals, files, bytes) {
        @Override
        void show(String line) {
        }
    };

    private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

    final RunTotals totals;
    final int files;
    final long bytes;
    private final long started = System.nanoTime();
    private ScheduledExecutorService scheduler;

    ProgressReporter(RunTotals totals, int files, long bytes) {
        this.totals = totals;
        this.files = files;
        this.bytes = bytes;
    }

    /** A progress bar on the console. */
    static Factory bar() {
        return (totals, files, bytes) -> {
            ProgressBar bar = new ProgressBarBuilder()
                    .setTaskName("load")
                    .setInitialMax(Math.max(1, bytes >> 20))
                    .setUnit(" MiB", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .build();
            return new ProgressReporter(totals, files, bytes) {
                @Override
                void show(String line) {
                    bar.stepTo(Math.min(bar.getMax(), totals.bytesRead() >> 20));
                    bar.setExtraMessage(shortLine());
                }

                @Override
                void end() {
                    show(null);
                    bar.close();
                }
            }.every(500);
        };
    }

    /** One log line every {@code seconds}. */
    static Factory log(int seconds) {
        return (totals, files, bytes) -> new ProgressReporter(totals, files, bytes) {
            @Override
            void show(String line) {
                log.info("progress: {}, input {}%", line,
                        bytes == 0 ? 100 : Math.min(100, totals.bytesRead() * 100 / bytes));
            }
        }.every(seconds * 1000L);
    }

    abstract void show(String line);

    void end() {
    }

    /** Files, ticks and rate so far. */
    String line() {
        double seconds = (System.nanoTime() - started) / 1e9;
        long committed = totals.committed();
        return String.format("%,d/%,d files, %,d ticks written, %,.0f ticks/s, %,d rejected",
                totals.filesDone(), files, committed, seconds > 0 ? committed / seconds : 0, totals.rejected());
    }

    /** Files, ticks and rate in few characters, to fit beside the bar on an 80-column terminal. */
    String shortLine() {
        double seconds = (System.nanoTime() - started) / 1e9;
        long committed = totals.committed();
        return totals.filesDone() + "/" + files + " files " + compact(committed) + " ticks "
                + compact(seconds > 0 ? (long) (committed / seconds) : 0) + "/s";
    }

    /** 1234567 as 1.2M. */
    static String compact(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format("%.1fK", n / 1e3);
        }
        return String.format("%.1fM", n / 1e6);
    }

    final ProgressReporter every(long millis) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> show(line()), millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        end();
    }
}
