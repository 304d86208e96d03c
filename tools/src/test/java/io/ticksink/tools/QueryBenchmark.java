package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import io.ticksink.schema.TickStore;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times the read queries on one day of 2,048,000 ticks (64 symbols, 32,000 each, one every 2.7 s
 * per symbol) against the legacy store's figures. Not part of the build (surefire runs
 * {@code *Test} only); run it with
 * {@code mvn -B -pl schema,tools -am test -Dtest=QueryBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dbench.dir=DIR} to keep the generated day).
 */
class QueryBenchmark {

    private static final int SYMBOLS = 64;
    private static final int TICKS = 2_048_000;
    private static final LocalDate DAY = LocalDate.parse("2026-01-19");

    @TempDir
    Path tempDir;

    private Path dataDir;

    @Test
    void queriesOnADayOfTwoMillionTicks() throws Exception {
        // -Dbench.dir=DIR keeps the generated day for runs of the jar afterwards
        String keep = System.getProperty("bench.dir");
        dataDir = keep == null || keep.isBlank() ? tempDir : Path.of(keep);
        Path file = DayFiles.path(dataDir, DAY);
        long loadStart = System.nanoTime();
        if (!Files.exists(file)) {
            generate();
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        long start = DayFiles.startMillis(DAY);

        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "day file: %,d ticks, %,d bytes, written in %.1f s%n",
                TICKS, Files.size(file), loadSeconds));
        try (TickQueries queries = new TickQueries(dataDir)) {
            report.append(line("recent 100 (warm)", 200, () -> {
                assertThat(queries.recent("SYM17", 100)).hasSize(100);
            }));
            long hour = start + 13 * 3_600_000L;
            report.append(line("1-hour range (warm)", 100, () -> {
                assertThat(drain(queries, hour, hour + 3_600_000L)).isEqualTo(32_000 / 24 + (32_000 % 24 > 13 ? 1 : 0));
            }));
            report.append(line("1-day range (warm)", 30, () -> {
                assertThat(drain(queries, start, start + 86_400_000L)).isEqualTo(32_000);
            }));
            report.append(line("1-day range as CSV text (warm)", 30, () -> {
                try (TickCursor c = queries.range("SYM17", start, start + 86_400_000L);
                     TickFormat.TickWriter out = TickFormat.CSV.open(Writer.nullWriter())) {
                    while (c.next()) {
                        out.write(c.tick());
                    }
                }
            }));
        }
        report.append(line("recent 100, new connection per query (cold open)", 100, () -> {
            try (TickQueries fresh = new TickQueries(dataDir)) {
                assertThat(fresh.recent("SYM17", 100)).hasSize(100);
            }
        }));
        System.out.println(report);
        Files.writeString(Path.of("target", "benchmark-queries.txt"), report);
    }

    private static int drain(TickQueries queries, long from, long to) throws Exception {
        int n = 0;
        try (TickCursor c = queries.range("SYM17", from, to)) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    private interface Run {
        void run() throws Exception;
    }

    /** Warms up, then reports the median and the 90th percentile of {@code runs} timed runs. */
    private static String line(String what, int runs, Run run) throws Exception {
        for (int i = 0; i < Math.max(5, runs / 5); i++) {
            run.run();
        }
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run.run();
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(millis);
        return String.format(Locale.ROOT, "%-50s median %8.3f ms   p90 %8.3f ms   (%d runs)%n",
                what, millis[runs / 2], millis[(int) (runs * 0.9)], runs);
    }

    private void generate() throws Exception {
        long start = DayFiles.startMillis(DAY);
        double step = 86_400_000.0 / TICKS;
        StoreOptions options = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
        try (TickStore store = new TickStore(dataDir, options)) {
            int batch = 50_000;
            for (int from = 0; from < TICKS; from += batch) {
                StreamChunk chunk = new StreamChunk("bench:0", null, batch);
                for (int i = from; i < Math.min(TICKS, from + batch); i++) {
                    double bid = 1.0 + (i % 1000) * 1e-4;
                    chunk.add(i, new Tick("SYM" + (i % SYMBOLS), start + (long) (i * step), bid, bid + 2e-5, 2e-5,
                            "LP" + (i % 3), null));
                }
                store.write(DAY, List.of(chunk));
            }
        }
    }
}
