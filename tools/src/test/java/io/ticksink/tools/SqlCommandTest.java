package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlCommandTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path tempDir;

    /** Three days of EURUSD and USDJPY, the middle one split in two files, and a day after the range. */
    private void threeDaysAndOneAfter() throws Exception {
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-19")),
                tick("EURUSD", "2026-01-19T10:00:00Z", 1.5, 1.75),
                tick("EURUSD", "2026-01-19T23:59:59.500Z", 1.25, 1.5),
                tick("USDJPY", "2026-01-19T12:00:00Z", 150.0, 150.5));
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-20")),
                tick("EURUSD", "2026-01-20T00:00:00Z", 2.0, 2.25),
                tick("USDJPY", "2026-01-20T01:00:00Z", 151.0, 151.5));
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-20")).resolveSibling("ticks_2026-01-20.p1.db"),
                tick("EURUSD", "2026-01-20T00:00:01Z", 2.5, 2.75));
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-21")),
                tick("USDJPY", "2026-01-21T09:00:00Z", 149.0, 149.5));
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-22")),
                tick("EURUSD", "2026-01-22T09:00:00Z", 9.0, 9.5));
    }

    private Cli.Run sql(String from, String to, String... rest) {
        List<String> args = new ArrayList<>(List.of("sql", "--data-dir", dataDir.toString(), "--from", from, "--to", to,
                "--temp-dir", tempDir.toString()));
        args.addAll(List.of(rest));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void groupBySymbolCountsTheTicksOfEveryDayAndSplitFileInTheRangeAndNoneAfterIt() throws Exception {
        threeDaysAndOneAfter();

        Cli.Run run = sql("2026-01-19", "2026-01-21",
                "SELECT symbol, count(*) AS ticks, min(bid) AS low, max(ask) AS high FROM ticks GROUP BY symbol ORDER BY symbol");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "symbol,ticks,low,high",
                "EURUSD,4,1.25,2.75",
                "USDJPY,3,149.0,151.5");
    }

    @Test
    void aWindowFunctionSeesTheTicksOfThePreviousDay() throws Exception {
        threeDaysAndOneAfter();

        Cli.Run run = sql("2026-01-19", "2026-01-20",
                "SELECT symbol, timestamp, bid - lag(bid) OVER (PARTITION BY symbol ORDER BY timestamp) AS change "
                        + "FROM ticks ORDER BY symbol, timestamp");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "symbol,timestamp,change",
                "EURUSD,1768816800000,",
                "EURUSD,1768867199500,-0.25",
                "EURUSD,1768867200000,0.75",
                "EURUSD,1768867201000,0.5",
                "USDJPY,1768824000000,",
                "USDJPY,1768870800000,1.0");
    }

    @Test
    void aSymbolAndTimeConditionReachesTheIndexOfEveryDayFileAndNeedsNoSort() throws Exception {
        threeDaysAndOneAfter();

        Cli.Run run = sql("2026-01-19", "2026-01-21", "EXPLAIN QUERY PLAN SELECT * FROM ticks "
                + "WHERE symbol = 'EURUSD' AND timestamp >= 1768867200000 ORDER BY timestamp");

        assertThat(run.exitCode()).as(run.err()).isZero();
        for (int file = 0; file < 4; file++) {
            assertThat(run.out()).contains("SEARCH day" + file + ".ticks USING INDEX idx_ticks_symbol_timestamp (symbol=? AND timestamp>?)");
        }
        assertThat(run.out()).doesNotContain("TEMP B-TREE");
    }

    @Test
    void csvQuotesWhatNeedsItAndJsonEscapesItKeepingSqliteTypes() throws Exception {
        DayFixtures.writeFile(DayFiles.path(dataDir, LocalDate.parse("2026-01-19")),
                new Tick("EUR,USD", 1768816800000L, 1.5, 1.75, 0.25, "LP \"one\"\nline two", null));

        Cli.Run csv = sql("2026-01-19", "2026-01-19", "SELECT symbol, timestamp, bid, lp_source, broker_id, 'x' || char(9) AS tab FROM ticks");
        Cli.Run json = sql("2026-01-19", "2026-01-19", "--format", "json",
                "SELECT symbol, timestamp, bid, lp_source, broker_id, 'x' || char(9) AS tab FROM ticks");

        assertThat(csv.exitCode()).as(csv.err()).isZero();
        assertThat(csv.out()).isEqualTo("symbol,timestamp,bid,lp_source,broker_id,tab\n"
                + "\"EUR,USD\",1768816800000,1.5,\"LP \"\"one\"\"\nline two\",,x\t\n");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.out()).isEqualTo("{\"symbol\":\"EUR,USD\",\"timestamp\":1768816800000,\"bid\":1.5,"
                + "\"lp_source\":\"LP \\\"one\\\"\\nline two\",\"broker_id\":null,\"tab\":\"x\\t\"}\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO ticks VALUES ('X', 1, 1, 1, 0, NULL, NULL)",
        "UPDATE day0.ticks SET bid = 0",
        "DELETE FROM day0.ticks",
        "DROP TABLE day0.ticks",
        "ATTACH 'ATTACHED' AS y; CREATE TABLE y.t (a)",
        "PRAGMA writable_schema = 1",
        "PRAGMA query_only = 0",
        "VACUUM day0 INTO 'ATTACHED'",
        "SELECT 1; DELETE FROM day0.ticks",
        "WITH x AS (SELECT 1) DELETE FROM day0.ticks",
        "WITH x AS (SELECT 1) INSERT INTO day0.ticks SELECT * FROM day0.ticks RETURNING symbol",
        "WITH x AS (SELECT 1) UPDATE day0.ticks SET bid = 0 RETURNING bid"})
    void aWriteIsRefusedWithUsageExitAndLeavesEveryDayFileAsItWas(String write) throws Exception {
        threeDaysAndOneAfter();
        Path elsewhere = tempDir.resolve("elsewhere.db");
        Map<String, String> before = contentOf(dataDir);

        Cli.Run run = sql("2026-01-19", "2026-01-21", write.replace("ATTACHED", elsewhere.toString()));

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("sql: ").containsAnyOf("refused", "one statement at a time");
        assertThat(run.out()).isEmpty();
        assertThat(contentOf(dataDir)).isEqualTo(before);
        assertThat(elsewhere).doesNotExist();
        assertThat(sql("2026-01-19", "2026-01-21", "SELECT count(*) AS n FROM ticks").lines()).containsExactly("n", "7");
    }

    @Test
    void aRangeOfMoreDayFilesThanSqliteAttachesGivesTheAggregateOfEveryDay() throws Exception {
        // one file more than the attach limit, and more ticks on some days than on others
        int limit = SqlRange.attachLimit();
        assertThat(limit).as("sqlite-jdbc's build raises the limit to SQLITE_MAX_ATTACHED").isEqualTo(125);
        int days = limit + 5;
        LocalDate first = LocalDate.parse("2025-01-01");
        long eurusd = 0;
        double bidSum = 0;
        for (int i = 0; i < days; i++) {
            LocalDate day = first.plusDays(i);
            int count = i % 4 + 1;
            List<Tick> ticks = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                ticks.add(new Tick("EURUSD", DayFiles.startMillis(day) + n * 1_000L, i + 0.5, i + 1.0, 0.5, "LP1", null));
                bidSum += i + 0.5;
            }
            ticks.add(new Tick("USDJPY", DayFiles.startMillis(day) + 3_600_000L, 150.0, 150.5, 0.5, "LP1", null));
            eurusd += count;
            DayFixtures.writeFile(DayFiles.path(dataDir, day), ticks.toArray(Tick[]::new));
        }
        Map<String, String> before = contentOf(dataDir);

        Cli.Run run = sql(first.toString(), first.plusDays(days - 1).toString(),
                "SELECT symbol, count(*) AS ticks, count(DISTINCT timestamp / 86400000) AS days, sum(bid) AS bids "
                        + "FROM ticks GROUP BY symbol ORDER BY symbol");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "symbol,ticks,days,bids",
                "EURUSD," + eurusd + "," + days + "," + bidSum,
                "USDJPY," + days + "," + days + "," + 150.0 * days);
        assertThat(run.err()).contains("copying the 5 smallest").contains(tempDir.toString());
        try (Stream<Path> left = Files.list(tempDir)) {
            assertThat(left).as("the copy is deleted").isEmpty();
        }
        assertThat(contentOf(dataDir)).isEqualTo(before);
    }

    @Test
    void aRangeWithoutDayFilesIsAnEmptyTable() throws Exception {
        threeDaysAndOneAfter();

        Cli.Run run = sql("2025-06-01", "2025-06-30", "SELECT count(*) AS n, sum(bid) AS bids FROM ticks");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly("n,bids", "0,");
        assertThat(run.err()).contains("no day files from 2025-06-01 to 2025-06-30");
    }

    @Test
    void aSyntaxErrorOrUnknownColumnIsReportedWithSqlitesMessageAndUsageExit() throws Exception {
        threeDaysAndOneAfter();

        Cli.Run syntax = sql("2026-01-19", "2026-01-21", "SELECT symbol FROM ticks WHERE AND bid > 1");
        Cli.Run column = sql("2026-01-19", "2026-01-21", "SELECT price FROM ticks");

        assertThat(syntax.exitCode()).isEqualTo(2);
        assertThat(syntax.err()).startsWith("sql: SQLite cannot run the statement:").contains("syntax error");
        assertThat(column.exitCode()).isEqualTo(2);
        assertThat(column.err()).contains("no such column: price");
        assertThat(syntax.out() + column.out()).isEmpty();
    }

    @Test
    void anArchivedDayInTheRangeIsRefusedByNameUntilRestored() throws Exception {
        threeDaysAndOneAfter();
        // Cli's clock is 2026-03-01: every January day is older than 30 days
        assertThat(Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress").exitCode()).isZero();
        assertThat(DayFiles.path(dataDir, LocalDate.parse("2026-01-21"))).doesNotExist();

        Cli.Run archived = sql("2026-01-21", "2026-01-22", "SELECT count(*) AS n FROM ticks");
        Cli.Run before = sql("2026-01-18", "2026-01-18", "SELECT count(*) AS n FROM ticks");

        assertThat(archived.exitCode()).isEqualTo(1);
        assertThat(archived.err()).contains("archived days in the range are not read until restored: [2026-01-21, 2026-01-22]");
        assertThat(archived.out()).isEmpty();
        assertThat(before.exitCode()).as("a range without archives is read").isZero();

        assertThat(Cli.run("restore", "--data-dir", dataDir.toString(), "--day", "2026-01-21", "--keep-archive").exitCode()).isZero();
        Cli.Run kept = sql("2026-01-21", "2026-01-21", "SELECT count(*) AS n FROM ticks");
        assertThat(kept.exitCode()).as("an archive restored with --keep-archive is in the day file: " + kept.err()).isZero();
        assertThat(kept.lines()).containsExactly("n", "1");
    }

    @Test
    void aQueryBesideAWriterInTheMiddleOfATransactionReadsTheCommittedTicksAndTheWriterStillCommits() throws Exception {
        threeDaysAndOneAfter();
        Path day = DayFiles.path(dataDir, LocalDate.parse("2026-01-21"));
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + day); Statement st = writer.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0"); // a blocked commit fails at once instead of waiting
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO ticks (symbol, timestamp, bid, ask, spread) VALUES ('USDJPY', 1768989600000, 1, 2, 1)");

            Cli.Run during = sql("2026-01-21", "2026-01-21", "SELECT count(*) AS n FROM ticks");

            st.execute("COMMIT");
            assertThat(during.exitCode()).as(during.err()).isZero();
            assertThat(during.lines()).as("the uncommitted tick is not seen").containsExactly("n", "1");
        }
        assertThat(sql("2026-01-21", "2026-01-21", "SELECT count(*) AS n FROM ticks").lines()).containsExactly("n", "2");
    }

    /**
     * SHA-256 of every file under the dir but the {@code -shm} files and empty {@code -wal} files:
     * a read-only reader of a WAL file creates both when they are missing, and marks its place in
     * the {@code -shm}, as any SQLite reader does.
     */
    private static Map<String, String> contentOf(Path dir) throws IOException, NoSuchAlgorithmException {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!f.toString().endsWith("-shm") && !(f.toString().endsWith("-wal") && Files.size(f) == 0)) {
                    digests.put(dir.relativize(f).toString(),
                            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                }
            }
        }
        return digests;
    }
}
