package io.ticksink.bench.query;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import io.ticksink.schema.TickStore;
import io.ticksink.tools.TickFormat;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the read queries on one day of ticks (by default 2,048,000: 64 symbols, 32,000 each, one
 * every 2.7 s per symbol) against the legacy store's figures: recent 100, a 1-hour and a 1-day
 * range of one symbol, the day as CSV text, and recent 100 on a fresh connection. Each query's
 * result is checked before it is timed, so that a wrong answer never passes for a fast one.
 */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times the read queries on one generated day file against the legacy store's figures.")
public final class QueryBenchmark implements Callable<Integer> {

    private static final LocalDate DAY = LocalDate.parse("2026-01-19");
    private static final int TIMED = 17;
    private static final String SYMBOL = "SYM" + TIMED;

    @Option(names = "--symbols", defaultValue = "64", description = "Symbols of the day (default: ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--ticks", defaultValue = "2048000",
            description = "Ticks of the day, spread evenly over the symbols and the day (default: ${DEFAULT-VALUE}).")
    int ticks;

    @Option(names = "--data-dir",
            description = "Keep the generated day here, and reuse it when it is there already (default: a temporary "
                    + "directory, deleted afterwards); a kept day must have been written with the same sizes.")
    Path keptDataDir;

    @Option(names = "--report", description = "Also write the results to this file.")
    Path reportFile;

    @Override
    public Integer call() throws Exception {
        if (symbols <= TIMED) {
            throw new IllegalArgumentException("--symbols must exceed " + TIMED + ": the timed symbol is " + SYMBOL);
        }
        Path dataDir = keptDataDir != null ? keptDataDir : Files.createTempDirectory("ticksink-bench-query");
        try {
            System.out.print(run(dataDir));
        } finally {
            if (keptDataDir == null) {
                delete(dataDir);
            }
        }
        return 0;
    }

    private String run(Path dataDir) throws Exception {
        Path file = DayFiles.path(dataDir, DAY);
        long loadStart = System.nanoTime();
        if (!Files.exists(file)) {
            generate(dataDir);
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        long start = DayFiles.startMillis(DAY);

        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "day file: %,d ticks, %,d bytes, written in %.1f s%n",
                ticks, Files.size(file), loadSeconds));
        try (TickQueries queries = new TickQueries(dataDir)) {
            report.append(line("recent 100 (warm)", 200, () -> expect(queries.recent(SYMBOL, 100).size(), 100)));
            long hour = start + 13 * 3_600_000L;
            long inHour = generated(hour, hour + 3_600_000L);
            report.append(line("1-hour range (warm)", 100, () -> expect(count(queries, hour, hour + 3_600_000L), inHour)));
            report.append(line("1-day range (warm)", 30, () -> expect(count(queries, start, start + 86_400_000L), generated(start, start + 86_400_000L))));
            report.append(line("1-day range as CSV text (warm)", 30, () -> {
                try (TickCursor c = queries.range(SYMBOL, start, start + 86_400_000L);
                     TickFormat.TickWriter out = TickFormat.CSV.open(Writer.nullWriter())) {
                    while (c.next()) {
                        out.write(c.tick());
                    }
                }
            }));
        }
        report.append(line("recent 100, new connection per query (cold open)", 100, () -> {
            try (TickQueries fresh = new TickQueries(dataDir)) {
                expect(fresh.recent(SYMBOL, 100).size(), 100);
            }
        }));
        if (reportFile != null) {
            Files.writeString(reportFile, report);
        }
        return report.toString();
    }

    private static void expect(long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException("the query returned " + actual + " ticks, not " + expected);
        }
    }

    private static long count(TickQueries queries, long from, long to) throws Exception {
        long n = 0;
        try (TickCursor c = queries.range(SYMBOL, from, to)) {
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

    /** How many of the timed symbol's generated ticks lie in {@code [from, to)}, counted from the generator's formula. */
    private long generated(long from, long to) {
        long n = 0;
        for (int i = TIMED; i < ticks; i += symbols) {
            long t = timestamp(i);
            if (t >= from && t < to) {
                n++;
            }
        }
        return n;
    }

    private long timestamp(int i) {
        return DayFiles.startMillis(DAY) + (long) (i * (86_400_000.0 / ticks));
    }

    private void generate(Path dataDir) throws Exception {
        StoreOptions options = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
        try (TickStore store = new TickStore(dataDir, options)) {
            int batch = 50_000;
            for (int from = 0; from < ticks; from += batch) {
                StreamChunk chunk = new StreamChunk("bench:0", null, batch);
                for (int i = from; i < Math.min(ticks, from + batch); i++) {
                    double bid = 1.0 + (i % 1000) * 1e-4;
                    chunk.add(i, new Tick("SYM" + (i % symbols), timestamp(i), bid, bid + 2e-5, 2e-5,
                            "LP" + (i % 3), null));
                }
                store.write(DAY, List.of(chunk));
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
