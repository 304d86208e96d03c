package io.ticksink.bench.bars;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
import io.ticksink.tools.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times {@code ticksink-tools bars} in process on one symbol's day of ticks (2,000,000 by default,
 * evenly spread) into 1-minute bars: the first run in this JVM, then warm runs.
 */
@Command(name = "bars", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times bars on one symbol's day into 1-minute bars, in process.")
public final class BarsBenchmark implements Callable<Integer> {

    private static final LocalDate DAY = LocalDate.parse("2026-01-19");

    @Option(names = "--ticks", defaultValue = "2000000", description = "Ticks of the day (default: ${DEFAULT-VALUE}).")
    int ticks;

    @Option(names = "--runs", defaultValue = "15", description = "Warm runs after the first (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--data-dir", description = "Keep the generated day here and reuse it on later runs "
            + "(default: a temporary dir, deleted).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("bars-benchmark");
        try {
            Path file = DayFiles.path(dir, DAY);
            long loadStart = System.nanoTime();
            if (!Files.exists(file)) {
                generate(dir);
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            String[] args = {"bars", "--data-dir", dir.toString(), "--symbol", "EURUSD",
                    "--from", DAY.toString(), "--to", DAY.plusDays(1).toString(), "--interval", "1m"};

            // the first run in this JVM: classes load, the file opens, its pages may be cold
            double first = timeMillis(args);
            StringWriter check = new StringWriter();
            Main.commandLine(Clock.systemUTC(), new PrintWriter(check), new PrintWriter(Writer.nullWriter())).execute(args);
            long lines = check.toString().lines().count();
            if (lines != 1 + 1440) {
                throw new IllegalStateException("expected a header and 1,440 bars, got " + lines + " lines");
            }
            double[] millis = new double[runs];
            for (int i = 0; i < runs; i++) {
                millis[i] = timeMillis(args);
            }
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "day file: %,d ticks of one symbol, %,d bytes, written in %.1f s%n"
                            + "bars --interval 1m, first run in this JVM %8.1f ms%n"
                            + "bars --interval 1m, warm: median %8.1f ms, p90 %8.1f ms, best %8.1f ms (%d runs)%n",
                    ticks, Files.size(file), loadSeconds, first, millis[runs / 2], millis[(int) (runs * 0.9)], millis[0], runs);
            return 0;
        } finally {
            if (dataDir == null) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** One run of the command as the jar runs it, opening the day file afresh; output discarded. */
    private static double timeMillis(String[] args) {
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        long t0 = System.nanoTime();
        int code = Main.commandLine(Clock.systemUTC(), none, none).execute(args);
        double millis = (System.nanoTime() - t0) / 1e6;
        if (code != 0) {
            throw new IllegalStateException("bars exited " + code);
        }
        return millis;
    }

    private void generate(Path dir) throws Exception {
        long start = DayFiles.startMillis(DAY);
        double step = 86_400_000.0 / ticks;
        StoreOptions options = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
        try (TickStore store = new TickStore(dir, options)) {
            int batch = 50_000;
            for (int from = 0; from < ticks; from += batch) {
                StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream("ticks", 0), null, batch);
                for (int i = from; i < Math.min(ticks, from + batch); i++) {
                    // a fixed pattern instead of a random walk: the file is the same on every machine
                    double bid = 1.08 + (i % 997) * 1e-5;
                    chunk.add(i, new Tick("EURUSD", start + (long) (i * step), bid, bid + 2e-5, 2e-5, "LP" + (i % 3), null));
                }
                store.write(DAY, List.of(chunk));
            }
        }
    }
}
