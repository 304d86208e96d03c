package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bars} on known ticks in real day files, against bars computed by hand. */
class BarsCommandTest {

    private static final String HEADER = "symbol,timestamp,open,high,low,close,ticks,spread_min,spread_mean,spread_max";

    @TempDir
    Path dataDir;

    /** Prices that are exact in binary, so every figure below is written as it prints. */
    private void oneMorning() throws StoreException {
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.5),
                tick("EURUSD", "2026-01-19T10:00:30Z", 3.0, 3.25),
                tick("EURUSD", "2026-01-19T10:00:59.999Z", 0.5, 1.0),
                tick("EURUSD", "2026-01-19T10:01:00Z", 2.0, 2.5),
                tick("EURUSD", "2026-01-19T10:04:00Z", 4.0, 4.25),
                tick("EURUSD", "2026-01-19T11:00:00Z", 5.0, 6.0),
                tick("GBPUSD", "2026-01-19T10:00:10Z", 7.0, 7.5));
    }

    private Cli.Run bars(String... args) {
        List<String> all = new ArrayList<>(List.of("bars", "--data-dir", dataDir.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void oneMinuteBarsAreAlignedToTheMinuteAndLeaveEmptyMinutesOut() throws Exception {
        oneMorning();

        Cli.Run run = bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "1m", "--price", "bid");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,1.0,3.0,0.5,0.5,3,0.25," + (0.5 + 0.25 + 0.5) / 3 + ",0.5",
                "EURUSD,2026-01-19T10:01:00.000Z,2.0,2.0,2.0,2.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-19T10:04:00.000Z,4.0,4.0,4.0,4.0,1,0.25,0.25,0.25",
                "EURUSD,2026-01-19T11:00:00.000Z,5.0,5.0,5.0,5.0,1,1.0,1.0,1.0");
    }

    @Test
    void fiveMinuteHourAndDayBarsStartAtMultiplesOfTheirLengthFromMidnightUtc() throws Exception {
        oneMorning();
        String mean5 = Double.toString((0.5 + 0.25 + 0.5 + 0.5 + 0.25) / 5);

        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "5m", "--price", "bid").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,1.0,4.0,0.5,4.0,5,0.25," + mean5 + ",0.5",
                "EURUSD,2026-01-19T11:00:00.000Z,5.0,5.0,5.0,5.0,1,1.0,1.0,1.0");
        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "1h", "--price", "bid").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,1.0,4.0,0.5,4.0,5,0.25," + mean5 + ",0.5",
                "EURUSD,2026-01-19T11:00:00.000Z,5.0,5.0,5.0,5.0,1,1.0,1.0,1.0");
        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "1d", "--price", "bid").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T00:00:00.000Z,1.0,5.0,0.5,5.0,6,0.25," + (0.5 + 0.25 + 0.5 + 0.5 + 0.25 + 1.0) / 6
                        + ",1.0");
    }

    @Test
    void barsAreAlignedToUtcWhateverTheOffsetOrMinuteOfFromAndHoldOnlyTicksFromFromOn() throws Exception {
        oneMorning();

        // 12:00:30+02:00 is 10:00:30Z: the 10:00 bar starts at 10:00Z and lacks the 10:00:00 tick
        Cli.Run run = bars("--symbol", "EURUSD", "--from", "2026-01-19T12:00:30+02:00", "--to", "2026-01-19T11:00:00Z",
                "--interval", "1h", "--price", "bid");

        assertThat(run.lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,3.0,4.0,0.5,4.0,4,0.25," + (0.25 + 0.5 + 0.5 + 0.25) / 4 + ",0.5");
    }

    @Test
    void fillCarriesTheLastCloseThroughEmptyIntervalsUpToTo() throws Exception {
        oneMorning();

        Cli.Run run = bars("--symbol", "EURUSD", "--from", "2026-01-19T09:00:00Z", "--to", "2026-01-19T10:06:00Z",
                "--interval", "1m", "--price", "bid", "--fill");

        // nothing before the first tick: there is no close to carry yet
        assertThat(run.lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,1.0,3.0,0.5,0.5,3,0.25," + (0.5 + 0.25 + 0.5) / 3 + ",0.5",
                "EURUSD,2026-01-19T10:01:00.000Z,2.0,2.0,2.0,2.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-19T10:02:00.000Z,2.0,2.0,2.0,2.0,0,,,",
                "EURUSD,2026-01-19T10:03:00.000Z,2.0,2.0,2.0,2.0,0,,,",
                "EURUSD,2026-01-19T10:04:00.000Z,4.0,4.0,4.0,4.0,1,0.25,0.25,0.25",
                "EURUSD,2026-01-19T10:05:00.000Z,4.0,4.0,4.0,4.0,0,,,");
    }

    @Test
    void fillStopsAtTheCurrentTimeWhenToIsLater() throws Exception {
        oneMorning();

        Cli.Run run = Cli.runAt(Instant.parse("2026-01-19T10:02:30Z"), "bars", "--data-dir", dataDir.toString(),
                "--symbol", "GBPUSD", "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m", "--fill");

        assertThat(run.lines()).extracting(line -> line.split(",")[1] + " " + line.split(",")[6]).containsExactly(
                "timestamp ticks",
                "2026-01-19T10:00:00.000Z 1",
                "2026-01-19T10:01:00.000Z 0",
                "2026-01-19T10:02:00.000Z 0");
    }

    @Test
    void barsAroundMidnightComeFromBothDayFilesAndFillCarriesTheCloseAcrossIt() throws Exception {
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-20T00:01:10Z", 2.0, 2.5),
                tick("EURUSD", "2026-01-19T23:59:30Z", 1.0, 1.5),
                tick("EURUSD", "2026-01-20T00:30:00Z", 3.0, 3.25));
        assertThat(DayFiles.path(dataDir, LocalDate.parse("2026-01-19"))).exists();
        assertThat(DayFiles.path(dataDir, LocalDate.parse("2026-01-20"))).exists();

        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19T23:58:00Z", "--to", "2026-01-20T00:03:00Z",
                "--interval", "1m", "--price", "bid", "--fill").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T23:59:00.000Z,1.0,1.0,1.0,1.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-20T00:00:00.000Z,1.0,1.0,1.0,1.0,0,,,",
                "EURUSD,2026-01-20T00:01:00.000Z,2.0,2.0,2.0,2.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-20T00:02:00.000Z,2.0,2.0,2.0,2.0,0,,,");
        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19T23:00:00Z", "--to", "2026-01-20T01:00:00Z",
                "--interval", "1h", "--price", "bid").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T23:00:00.000Z,1.0,1.0,1.0,1.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-20T00:00:00.000Z,2.0,3.0,2.0,3.0,2,0.25,0.375,0.5");
        assertThat(bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-22",
                "--interval", "1d", "--price", "bid", "--fill").lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T00:00:00.000Z,1.0,1.0,1.0,1.0,1,0.5,0.5,0.5",
                "EURUSD,2026-01-20T00:00:00.000Z,2.0,3.0,2.0,3.0,2,0.25,0.375,0.5",
                "EURUSD,2026-01-21T00:00:00.000Z,3.0,3.0,3.0,3.0,0,,,");
    }

    @Test
    void ticksOfOneTimestampOpenAndCloseInTheOrderQueryPrintsThem() throws Exception {
        Path main = DayFiles.path(dataDir, LocalDate.parse("2026-01-19"));
        // the split part is written first, yet the main file's rows come first at equal timestamps
        DayFixtures.writeFile(main.resolveSibling("ticks_2026-01-19.p3.db"),
                tick("EURUSD", "2026-01-19T10:00:00Z", 3.0, 3.5));
        DayFixtures.writeFile(main,
                tick("EURUSD", "2026-01-19T10:00:00Z", 2.0, 2.5),
                tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.5),
                tick("EURUSD", "2026-01-19T10:00:00Z", 2.5, 3.0));

        Cli.Run query = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20");
        Cli.Run bars = bars("--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "1s", "--price", "bid");

        assertThat(query.lines()).extracting(line -> line.split(",")[2]).containsExactly("bid", "2.0", "1.0", "2.5", "3.0");
        assertThat(bars.lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,2.0,3.0,1.0,3.0,4,0.5,0.5,0.5");
    }

    @Test
    void bidAskAndMidBarsTakeTheirOwnPriceAndMidIsTheDecimalMiddle() throws Exception {
        DayFixtures.write(dataDir,
                new Tick("EURUSD", DayFiles.startMillis(LocalDate.parse("2026-01-19")) + 1_000, 1.1, 1.2, 0.1, null, null),
                new Tick("EURUSD", DayFiles.startMillis(LocalDate.parse("2026-01-19")) + 2_000, 1.3, 1.5, 0.2, null, null),
                new Tick("EURUSD", DayFiles.startMillis(LocalDate.parse("2026-01-19")) + 3_000, 1.0, 1.6, 0.6, null, null));

        String[] common = {"--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m"};
        // the mean of the stored doubles, summed without rounding drift
        double sum = new BigDecimal(0.1).add(new BigDecimal(0.2)).add(new BigDecimal(0.6)).doubleValue();
        String spread = ",3,0.1," + sum / 3 + ",0.6";
        assertThat(bars(with(common, "--price", "bid")).lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T00:00:00.000Z,1.1,1.3,1.0,1.0" + spread);
        assertThat(bars(with(common, "--price", "ask")).lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T00:00:00.000Z,1.2,1.6,1.2,1.6" + spread);
        // mid is the default; (1.1 + 1.2) / 2 in doubles would print 1.1500000000000001
        assertThat(bars(common).lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T00:00:00.000Z,1.15,1.4,1.15,1.3" + spread);
    }

    @Test
    void jsonHasOneObjectPerBarWithNullSpreadsForFilledBars() throws Exception {
        oneMorning();

        Cli.Run run = bars("--symbol", "GBPUSD", "--from", "2026-01-19T10:00:00Z", "--to", "2026-01-19T10:02:00Z",
                "--interval", "1m", "--format", "json", "--fill");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(
                "{\"symbol\":\"GBPUSD\",\"timestamp\":\"2026-01-19T10:00:00.000Z\",\"open\":7.25,\"high\":7.25,"
                        + "\"low\":7.25,\"close\":7.25,\"ticks\":1,\"spread_min\":0.5,\"spread_mean\":0.5,\"spread_max\":0.5}\n"
                        + "{\"symbol\":\"GBPUSD\",\"timestamp\":\"2026-01-19T10:01:00.000Z\",\"open\":7.25,\"high\":7.25,"
                        + "\"low\":7.25,\"close\":7.25,\"ticks\":0,\"spread_min\":null,\"spread_mean\":null,\"spread_max\":null}\n");
    }

    @Test
    void severalSymbolsComeOneAfterAnotherAndAllSymbolsInNameOrder() throws Exception {
        oneMorning();
        String[] range = {"--from", "2026-01-19T10:00:00Z", "--to", "2026-01-19T10:01:00Z", "--interval", "1m"};

        Cli.Run given = bars(with(range, "--symbol", "GBPUSD", "--symbol", "EURUSD", "--symbol", "GBPUSD"));
        Cli.Run all = bars(with(range, "--all-symbols"));

        assertThat(given.lines()).extracting(line -> line.split(",")[0] + " " + line.split(",")[6])
                .containsExactly("symbol ticks", "GBPUSD 1", "EURUSD 3");
        assertThat(all.lines()).extracting(line -> line.split(",")[0] + " " + line.split(",")[6])
                .containsExactly("symbol ticks", "EURUSD 3", "GBPUSD 1");
    }

    @Test
    void severalDataDirsCountACopyOfOneRecordOnce(@TempDir Path node2) throws Exception {
        String stream = StreamChunk.kafkaStream("ticks", 0);
        Tick a0 = tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.5);
        Tick a1 = tick("EURUSD", "2026-01-19T10:00:10Z", 2.0, 2.5);
        Tick a2 = tick("EURUSD", "2026-01-19T10:00:20Z", 3.0, 3.5);
        Tick a3 = tick("EURUSD", "2026-01-19T10:00:30Z", 0.5, 1.0);
        // both nodes stored records 1 and 2; another stream holds a distinct record with a1's content
        writeStream(dataDir, stream, 0, a0, a1, a2);
        writeStream(node2, stream, 1, a1, a2, a3);
        writeStream(node2, StreamChunk.kafkaStream("ticks", 1), 0, a1);

        Cli.Run run = Cli.run("bars", "--data-dir", dataDir.toString(), "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m", "--price", "bid");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(HEADER,
                "EURUSD,2026-01-19T10:00:00.000Z,1.0,3.0,0.5,0.5,5,0.5,0.5,0.5");
    }

    @Test
    void aRangeWithoutTicksPrintsTheHeaderOnly() throws Exception {
        oneMorning();

        Cli.Run run = bars("--symbol", "USDJPY", "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m", "--fill");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly(HEADER);
    }

    @Test
    void wrongUsageExitsWithTwoAndSaysWhatIsWrong() {
        String dir = dataDir.toString();
        Cli.Run noSymbol = Cli.run("bars", "--data-dir", dir, "--from", "2026-01-19", "--to", "2026-01-20",
                "--interval", "1m");
        Cli.Run both = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD", "--all-symbols",
                "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m");
        Cli.Run emptyRange = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-19", "--interval", "1m");
        Cli.Run backwards = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-20", "--to", "2026-01-19", "--interval", "1m");
        Cli.Run sevenMinutes = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "7m");
        Cli.Run week = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1w");
        Cli.Run price = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m", "--price", "last");
        Cli.Run format = Cli.run("bars", "--data-dir", dir, "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20", "--interval", "1m", "--format", "xml");

        assertThat(List.of(noSymbol, both, emptyRange, backwards, sevenMinutes, week, price, format))
                .allSatisfy(run -> {
                    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
                    assertThat(run.out()).isEmpty();
                });
        assertThat(noSymbol.err()).contains("Missing required argument", "--symbol", "--all-symbols");
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(emptyRange.err()).contains("--to must be after --from");
        assertThat(backwards.err()).contains("--to must be after --from");
        assertThat(sevenMinutes.err()).contains("'7m' is not a bar interval; give one that divides a day evenly");
        assertThat(week.err()).contains("'1w' is not a duration");
        assertThat(price.err()).contains("--price must be bid, ask or mid, not 'last'");
        assertThat(format.err()).contains("--format must be csv or json, not 'xml'");
    }

    private static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static void writeStream(Path dir, String stream, long firstPosition, Tick... ticks) throws StoreException {
        try (DayDatabase db = DayDatabase.open(DayFiles.path(dir, DayFiles.day(ticks[0].timestampMillis())),
                DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk(stream, null, ticks.length);
            for (int i = 0; i < ticks.length; i++) {
                chunk.add(firstPosition + i, ticks[i]);
            }
            db.write(List.of(chunk));
        }
    }
}
