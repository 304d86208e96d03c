package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryCommandTest {

    @TempDir
    Path dataDir;

    @BeforeEach
    void twoDaysAroundMidnight() throws Exception {
        // written out of time order, with another symbol between
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-20T00:00:00.250Z", 1.1002, 1.1004),
                tick("GBPUSD", "2026-01-19T23:59:59.700Z", 1.2700, 1.2702),
                tick("EURUSD", "2026-01-19T23:59:59.500Z", 1.1000, 1.1003),
                tick("EURUSD", "2026-01-19T23:00:00Z", 1.0990, 1.0992));
    }

    @Test
    void printsCsvWithHeaderInTimestampOrderAcrossMidnight() {
        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "2026-01-19T23:30:00Z", "--to", "2026-01-20T01:00:00+00:00");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly(
                "symbol,timestamp,bid,ask,spread,lp_source,broker_id",
                "EURUSD,2026-01-19T23:59:59.500Z,1.1,1.1003," + (1.1003 - 1.1000) + ",LP1,",
                "EURUSD,2026-01-20T00:00:00.250Z,1.1002,1.1004," + (1.1004 - 1.1002) + ",LP1,");
    }

    @Test
    void printsOneJsonObjectPerLine() {
        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "2026-01-20", "--to", "2026-01-21", "--format", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("{\"symbol\":\"EURUSD\",\"timestamp\":\"2026-01-20T00:00:00.250Z\","
                + "\"bid\":1.1002,\"ask\":1.1004,\"spread\":" + (1.1004 - 1.1002)
                + ",\"lp_source\":\"LP1\",\"broker_id\":null}\n");
    }

    @Test
    void includesFromAndExcludesToGivenAsEpochMillis() {
        long at = java.time.Instant.parse("2026-01-19T23:00:00Z").toEpochMilli();
        Cli.Run inclusive = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", Long.toString(at), "--to", Long.toString(at + 1));
        Cli.Run exclusive = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", Long.toString(at - 1), "--to", Long.toString(at));

        assertThat(inclusive.lines()).hasSize(2).last().asString().startsWith("EURUSD,2026-01-19T23:00:00.000Z,");
        assertThat(exclusive.lines()).containsExactly(TickFormat.CSV_HEADER);
    }

    @Test
    void unionsTheSplitFilesOfADayInTimestampOrder() throws Exception {
        Path part = DayFiles.path(dataDir, LocalDate.parse("2026-01-19")).resolveSibling("ticks_2026-01-19.p3.db");
        DayFixtures.writeFile(part,
                tick("EURUSD", "2026-01-19T23:10:00Z", 2.0, 2.1),
                tick("EURUSD", "2026-01-19T23:59:59.500Z", 3.0, 3.1));

        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20");

        // equal timestamps: the main file's tick first, then the part's
        assertThat(run.lines()).extracting(line -> line.split(",")[1] + " " + line.split(",")[2]).containsExactly(
                "timestamp bid",
                "2026-01-19T23:00:00.000Z 1.099",
                "2026-01-19T23:10:00.000Z 2.0",
                "2026-01-19T23:59:59.500Z 1.1",
                "2026-01-19T23:59:59.500Z 3.0");
    }

    @Test
    void quotesCsvFieldsHoldingCommasOrQuotes() throws Exception {
        DayFixtures.write(dataDir, new Tick("ODD", java.time.Instant.parse("2026-01-19T10:00:00Z").toEpochMilli(),
                1.0, 2.0, 1.0, "LP, \"north\"", "b1"));

        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "ODD",
                "--from", "2026-01-19", "--to", "2026-01-20");

        assertThat(run.lines()).last().isEqualTo("ODD,2026-01-19T10:00:00.000Z,1.0,2.0,1.0,\"LP, \"\"north\"\"\",b1");
    }

    @Test
    void printsOnlyTheHeaderForARangeWithoutDays() {
        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "2025-01-01", "--to", "2025-12-31");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).containsExactly(TickFormat.CSV_HEADER);
    }

    @Test
    void rejectsATimeItCannotRead() {
        Cli.Run run = Cli.run("query", "--data-dir", dataDir.toString(), "--symbol", "EURUSD",
                "--from", "yesterday", "--to", "2026-01-20");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'yesterday' is neither epoch milliseconds");
    }

    @Test
    void leavesNoFileBehindForAMissingDataDir() {
        Path missing = dataDir.resolve("missing");
        Cli.Run run = Cli.run("query", "--data-dir", missing.toString(), "--symbol", "EURUSD",
                "--from", "2026-01-19", "--to", "2026-01-20");

        assertThat(run.exitCode()).isZero();
        assertThat(Files.exists(missing)).isFalse();
    }
}
