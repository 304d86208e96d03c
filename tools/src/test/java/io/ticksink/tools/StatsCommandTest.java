package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsCommandTest {

    @TempDir
    Path dataDir;

    @BeforeEach
    void twoSymbolsOnTwoDaysOneDaySplit() throws Exception {
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.5),   // spread 0.5
                tick("EURUSD", "2026-01-19T10:00:30Z", 1.0, 1.25),  // 30 s later, spread 0.25
                tick("EURUSD", "2026-01-19T10:05:30Z", 1.0, 1.75),  // 300 s later: a gap
                tick("GBPUSD", "2026-01-19T11:00:00Z", 2.0, 2.5),
                tick("EURUSD", "2026-01-20T00:00:00Z", 1.0, 1.5));
        // a split part of the 19th: its tick closes the 300 s gap into two of 150 s
        Path part = DayFiles.path(dataDir, LocalDate.parse("2026-01-19")).resolveSibling("ticks_2026-01-19.p1.db");
        DayFixtures.writeFile(part, tick("EURUSD", "2026-01-19T10:03:00Z", 1.0, 1.5));
    }

    @Test
    void printsCountsFirstLastSpreadAndGapsPerDayAndSymbol() {
        Cli.Run run = Cli.run("stats", "--data-dir", dataDir.toString(), "--gap", "100s");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly(
                "day,symbol,ticks,first,last,avg_spread,gaps,max_gap_ms",
                "2026-01-19,EURUSD,4,2026-01-19T10:00:00.000Z,2026-01-19T10:05:30.000Z,0.5,2,150000",
                "2026-01-19,GBPUSD,1,2026-01-19T11:00:00.000Z,2026-01-19T11:00:00.000Z,0.5,0,0",
                "2026-01-20,EURUSD,1,2026-01-20T00:00:00.000Z,2026-01-20T00:00:00.000Z,0.5,0,0");
    }

    @Test
    void countsOnlyGapsLongerThanTheThreshold() {
        Cli.Run run = Cli.run("stats", "--data-dir", dataDir.toString(), "--day", "2026-01-19", "--symbol", "EURUSD",
                "--gap", "150s");

        assertThat(run.lines()).containsExactly(
                "day,symbol,ticks,first,last,avg_spread,gaps,max_gap_ms",
                "2026-01-19,EURUSD,4,2026-01-19T10:00:00.000Z,2026-01-19T10:05:30.000Z,0.5,0,150000");
    }
}
