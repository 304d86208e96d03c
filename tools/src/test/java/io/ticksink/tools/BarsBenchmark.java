package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times {@code bars} on one symbol's day of 2,000,000 ticks (one every 43.2 ms) into 1-minute
 * bars, in process. Not part of the build (surefire runs {@code *Test} only); run it with
 * {@code mvn -B -pl schema,tools -am test -Dtest=BarsBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (add {@code -Dbench.dir=DIR} to keep the generated day for runs of the jar afterwards).
 */
class BarsBenchmark {

    private static final int TICKS = 2_000_000;
    private static final LocalDate DAY = LocalDate.parse("2026-01-19");

    @TempDir
    Path tempDir;

    @Test
    void oneMinuteBarsOfOneSymbolsDayOfTwoMillionTicks() throws Exception {
        String keep = System.getProperty("bench.dir");
        Path dataDir = keep == null || keep.isBlank() ? tempDir : Path.of(keep);
        Path file = DayFiles.path(dataDir, DAY);
        long loadStart = System.nanoTime();
        if (!Files.exists(file)) {
            generate(dataDir);
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        String[] args = {"bars", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", DAY.toString(), "--to", DAY.plusDays(1).toString(), "--interval", "1m"};

        // the first run in this JVM: classes load, the file opens, its pages may be cold
        double first = timeMillis(args);
        StringWriter check = new StringWriter();
        Main.commandLine(Clock.systemUTC(), new PrintWriter(check), new PrintWriter(Writer.nullWriter())).execute(args);
        assertThat(check.toString().lines()).hasSize(1 + 1440);
        int runs = 15;
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            millis[i] = timeMillis(args);
        }
        Arrays.sort(millis);

        String report = String.format(Locale.ROOT,
                "day file: %,d ticks of one symbol, %,d bytes, written in %.1f s%n"
                        + "bars --interval 1m, first run in a fresh JVM %8.1f ms%n"
                        + "bars --interval 1m, warm: median %8.1f ms, p90 %8.1f ms, best %8.1f ms (%d runs)%n",
                TICKS, Files.size(file), loadSeconds, first, millis[runs / 2], millis[(int) (runs * 0.9)], millis[0], runs);
        System.out.println(report);
        Files.writeString(Path.of("target", "benchmark-bars.txt"), report);
    }

    /** One run of the command as the jar runs it, opening the day file afresh; output discarded. */
    private static double timeMillis(String[] args) {
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        long t0 = System.nanoTime();
        int code = Main.commandLine(Clock.systemUTC(), none, none).execute(args);
        double millis = (System.nanoTime() - t0) / 1e6;
        assertThat(code).isZero();
        return millis;
    }

    private static void generate(Path dataDir) throws Exception {
        long start = DayFiles.startMillis(DAY);
        double step = 86_400_000.0 / TICKS;
        StoreOptions options = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
        try (TickStore store = new TickStore(dataDir, options)) {
            int batch = 50_000;
            for (int from = 0; from < TICKS; from += batch) {
                StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream("ticks", 0), null, batch);
                for (int i = from; i < Math.min(TICKS, from + batch); i++) {
                    // a random walk would cost nothing to read either; this keeps the file reproducible
                    double bid = 1.08 + (i % 997) * 1e-5;
                    chunk.add(i, new Tick("EURUSD", start + (long) (i * step), bid, bid + 2e-5, 2e-5, "LP" + (i % 3), null));
                }
                store.write(DAY, List.of(chunk));
            }
        }
    }
}
