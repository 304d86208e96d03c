package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bars} reads prices only, in pieces on several threads; its output must be, character for
 * character, what one pass of every tick of {@link TickQueries#range} (the path {@code query}
 * prints) through one {@link BarBuilder} gives. Random days: three symbols, ties in timestamp
 * within and across files, a split file beside a day's main file, and a second dir that holds
 * copies of some of the first dir's records.
 */
class BarsAgreeWithTheTickStreamTest {

    private static final String[] SYMBOLS = {"EURUSD", "GBPUSD", "USDJPY"};
    private static final LocalDate FIRST = LocalDate.parse("2026-01-19");
    private static final int DAYS = 3;

    @TempDir
    Path node1;

    @TempDir
    Path node2;

    private final Random random = new Random(20261129);

    @BeforeEach
    void writeRandomDays() throws StoreException {
        for (int d = 0; d < DAYS; d++) {
            LocalDate day = FIRST.plusDays(d);
            long start = DayFiles.startMillis(day);
            // few distinct instants, so many ticks share a millisecond, in one file and across files
            long[] instants = new long[600];
            for (int i = 0; i < instants.length; i++) {
                instants[i] = start + (long) (random.nextDouble() * 86_400_000L);
            }
            instants[0] = start;
            instants[1] = start + 86_399_999L;
            List<Tick> main = randomTicks(instants, 2_000);
            List<Tick> split = randomTicks(instants, 700);
            List<Tick> other = randomTicks(instants, 500);
            write(DayFiles.path(node1, day), "kafka:ticks:0", 0, main);
            write(DayFiles.path(node1, day).resolveSibling("ticks_" + day + ".p3.db"), "kafka:ticks:3", 0, split);
            // node2 holds positions 1500.. of partition 0 again (copies) and a stream of its own
            write(DayFiles.path(node2, day), "kafka:ticks:0", 1_500, main.subList(1_500, main.size()));
            write(DayFiles.path(node2, day), "kafka:ticks:1", 0, other);
        }
    }

    @Test
    void oneDirGivesTheBarsOfEveryStoredTickInQueryOrder() throws Exception {
        for (String interval : List.of("1s", "1m", "1h", "1d")) {
            for (BarPrice price : BarPrice.values()) {
                assertSameBars(List.of(node1), interval, price, false, "2026-01-19", "2026-01-22");
            }
        }
        assertSameBars(List.of(node1), "1m", BarPrice.MID, true, "2026-01-19T05:17:00Z", "2026-01-21T13:00:00Z");
        assertSameBars(List.of(node1), "5m", BarPrice.BID, true, "2026-01-18", "2026-01-23");
    }

    @Test
    void severalDirsGiveTheBarsOfEachRecordOnceInQueryOrder() throws Exception {
        for (String interval : List.of("1s", "1m", "1h", "1d")) {
            for (BarPrice price : BarPrice.values()) {
                assertSameBars(List.of(node1, node2), interval, price, false, "2026-01-19", "2026-01-22");
            }
        }
        assertSameBars(List.of(node2, node1), "15m", BarPrice.ASK, true, "2026-01-19T23:59:59.999Z", "2026-01-21T00:00:00.001Z");
    }

    private void assertSameBars(List<Path> dirs, String interval, BarPrice price, boolean fill, String from, String to)
            throws Exception {
        long fromMillis = Instants.parse(from);
        long toMillis = Instants.parse(to);
        List<String> args = new ArrayList<>(List.of("bars", "--symbol", "EURUSD", "--symbol", "GBPUSD", "--symbol", "USDJPY",
                "--from", from, "--to", to, "--interval", interval, "--price", price.name().toLowerCase(java.util.Locale.ROOT)));
        for (Path dir : dirs) {
            args.addAll(List.of("--data-dir", dir.toString()));
        }
        if (fill) {
            args.add("--fill");
        }
        Cli.Run run = Cli.run(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isZero();
        String expected = streamed(dirs, fromMillis, toMillis, BarIntervals.parse(interval), price, fill);
        assertThat(run.out().lines().count()).as("bars of %s %s", interval, price).isGreaterThan(1 + SYMBOLS.length);
        assertThat(run.out()).as("bars of %s %s over %s", interval, price, dirs).isEqualTo(expected);
    }

    /** The bars of every tick {@code range} yields, one pass per symbol. */
    private static String streamed(List<Path> dirs, long from, long to, long interval, BarPrice price, boolean fill)
            throws StoreException, IOException {
        StringWriter text = new StringWriter();
        try (TickQueries queries = new TickQueries(dirs);
             BarFormat out = BarFormat.open(TickFormat.CSV, text)) {
            for (String symbol : SYMBOLS) {
                BarBuilder bars = new BarBuilder(symbol, interval, price, fill, to, out);
                try (TickCursor cursor = queries.range(symbol, from, to)) {
                    while (cursor.next()) {
                        bars.add(cursor.tick());
                    }
                }
                bars.finish();
            }
        }
        return text.toString();
    }

    private List<Tick> randomTicks(long[] instants, int count) {
        List<Tick> ticks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String symbol = SYMBOLS[random.nextInt(SYMBOLS.length)];
            // five decimals, as quotes are; mids of such prices are not all exact in binary
            double bid = Math.round((1 + random.nextDouble()) * 1e5) / 1e5;
            double ask = Math.round((bid + random.nextInt(40) * 1e-5) * 1e5) / 1e5;
            ticks.add(new Tick(symbol, instants[random.nextInt(instants.length)], bid, ask, ask - bid,
                    "LP" + random.nextInt(3), random.nextBoolean() ? null : "B1"));
        }
        return ticks;
    }

    private static void write(Path file, String stream, long firstPosition, List<Tick> ticks) throws StoreException {
        try (DayDatabase db = DayDatabase.open(file, DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk(stream, null, ticks.size());
            for (int i = 0; i < ticks.size(); i++) {
                chunk.add(firstPosition + i, ticks.get(i));
            }
            db.write(List.of(chunk));
        }
    }
}
