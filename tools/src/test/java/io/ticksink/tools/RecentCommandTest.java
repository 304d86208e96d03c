package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecentCommandTest {

    @TempDir
    Path dataDir;

    @BeforeEach
    void ticksOverThreeDaysAndTwoMonths() throws Exception {
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-31T10:00:00Z", 1.0, 1.1),
                tick("EURUSD", "2026-02-01T09:00:00Z", 2.0, 2.1),
                tick("EURUSD", "2026-02-01T08:00:00Z", 3.0, 3.1),
                tick("GBPUSD", "2026-02-02T08:00:00Z", 4.0, 4.1),
                tick("EURUSD", "2026-02-02T07:00:00Z", 5.0, 5.1));
    }

    @Test
    void printsTheNewestTicksOldestFirstAcrossDays() {
        Cli.Run run = Cli.run("recent", "--data-dir", dataDir.toString(), "--symbol", "EURUSD", "-n", "3");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).extracting(line -> line.split(",")[1]).containsExactly(
                "timestamp", "2026-02-01T08:00:00.000Z", "2026-02-01T09:00:00.000Z", "2026-02-02T07:00:00.000Z");
    }

    @Test
    void printsEverythingWhenFewerTicksExist() {
        Cli.Run run = Cli.run("recent", "--data-dir", dataDir.toString(), "--symbol", "EURUSD", "--format", "json");

        assertThat(run.lines()).hasSize(4).first().asString().contains("\"timestamp\":\"2026-01-31T10:00:00.000Z\"");
    }

    @Test
    void printsOnlyTheHeaderForAnUnknownSymbol() {
        Cli.Run run = Cli.run("recent", "--data-dir", dataDir.toString(), "--symbol", "XAUUSD");

        assertThat(run.lines()).containsExactly(TickFormat.CSV_HEADER);
    }
}
