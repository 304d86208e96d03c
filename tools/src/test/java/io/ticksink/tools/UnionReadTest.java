package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read commands over the dirs of two nodes that both stored some of the same Kafka records
 * (a partition moved while one node was stalled), plus records only one of them holds.
 */
class UnionReadTest {

    private static final String A = StreamChunk.kafkaStream("ticks", 0);
    private static final String B = StreamChunk.kafkaStream("ticks", 1);

    // EURUSD on partition 0; B0 is another record with the same content as A1 (both are kept)
    private static final Tick A0 = tick("EURUSD", "2026-01-19T10:00:00Z", 1.10, 1.1002);
    private static final Tick A1 = tick("EURUSD", "2026-01-19T10:00:01Z", 1.11, 1.1102);
    private static final Tick A2 = tick("EURUSD", "2026-01-19T10:00:02Z", 1.12, 1.1202);
    private static final Tick A3 = tick("EURUSD", "2026-01-19T10:00:03Z", 1.13, 1.1302);
    private static final Tick A4 = tick("EURUSD", "2026-01-19T10:00:04Z", 1.14, 1.1402);
    private static final Tick A5 = tick("EURUSD", "2026-01-20T00:00:00.500Z", 1.15, 1.1502);
    private static final Tick B0 = A1;
    private static final Tick B1 = tick("GBPUSD", "2026-01-19T10:00:02Z", 1.27, 1.2702);
    private static final Tick B2 = tick("GBPUSD", "2026-01-19T10:00:05Z", 1.28, 1.2802);

    @TempDir
    Path node1;

    @TempDir
    Path node2;

    @BeforeEach
    void twoNodesWithOverlappingCopies() throws Exception {
        // node1 stored A0..A3 and B0..B1 before it stalled; node2 took over from A2 and B1
        writeKafka(node1, A, 0, A0, A1, A2, A3);
        writeKafka(node1, B, 0, B0, B1);
        // node2 met partition 1 first: the same stream has another id in its file
        writeKafka(node2, B, 1, B1, B2);
        writeKafka(node2, A, 2, A2, A3, A4);
        writeKafka(node2, A, 5, A5);
    }

    @Test
    void queryOverTwoDirsReturnsEachRecordOnceInTimestampOrder() {
        Cli.Run run = Cli.run("query", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-21");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-19T10:00:00.000Z 1.1",
                "2026-01-19T10:00:01.000Z 1.11",
                "2026-01-19T10:00:01.000Z 1.11", // B0: another record with A1's content
                "2026-01-19T10:00:02.000Z 1.12",
                "2026-01-19T10:00:03.000Z 1.13",
                "2026-01-19T10:00:04.000Z 1.14",
                "2026-01-20T00:00:00.500Z 1.15");
    }

    @Test
    void queryOverOneDirReturnsItsRowsAsBefore() {
        Cli.Run run = Cli.run("query", "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "--from", "2026-01-19", "--to", "2026-01-21");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-19T10:00:02.000Z 1.12",
                "2026-01-19T10:00:03.000Z 1.13",
                "2026-01-19T10:00:04.000Z 1.14",
                "2026-01-20T00:00:00.500Z 1.15");
    }

    @Test
    void queryGivenTheSameDirTwiceReturnsEachRecordOnce() {
        Cli.Run run = Cli.run("query", "--data-dir", node1.toString(), "--data-dir", node1.toString(),
                "--symbol", "GBPUSD", "--from", "2026-01-19", "--to", "2026-01-20");

        assertThat(timeAndBid(run)).containsExactly("2026-01-19T10:00:02.000Z 1.27");
    }

    @Test
    void recentOverTwoDirsReturnsTheLatestRecordsOnceOldestFirst() {
        Cli.Run run = Cli.run("recent", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "-n", "5");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-19T10:00:01.000Z 1.11",
                "2026-01-19T10:00:02.000Z 1.12",
                "2026-01-19T10:00:03.000Z 1.13",
                "2026-01-19T10:00:04.000Z 1.14",
                "2026-01-20T00:00:00.500Z 1.15");
    }

    @Test
    void recentOverTwoDirsStopsWhereEveryCopyWouldHaveFilledTheCount() {
        // each node holds A2 and A3: two copies each must not count as four ticks
        Cli.Run run = Cli.run("recent", "--data-dir", node2.toString(), "--data-dir", node1.toString(),
                "--symbol", "EURUSD", "-n", "4");

        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-19T10:00:02.000Z 1.12",
                "2026-01-19T10:00:03.000Z 1.13",
                "2026-01-19T10:00:04.000Z 1.14",
                "2026-01-20T00:00:00.500Z 1.15");
    }

    @Test
    void statsOverTwoDirsCountEachRecordOnce() {
        Cli.Run run = Cli.run("stats", "--data-dir", node1.toString(), "--data-dir", node2.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).extracting(line -> String.join(",", List.of(line.split(",")).subList(0, 5)))
                .containsExactly(
                        "day,symbol,ticks,first,last",
                        "2026-01-19,EURUSD,6,2026-01-19T10:00:00.000Z,2026-01-19T10:00:04.000Z",
                        "2026-01-19,GBPUSD,2,2026-01-19T10:00:02.000Z,2026-01-19T10:00:05.000Z",
                        "2026-01-20,EURUSD,1,2026-01-20T00:00:00.500Z,2026-01-20T00:00:00.500Z");
    }

    @Test
    void rowsWithoutLineageAreAllKept() throws Exception {
        // a version 1 file on each node with the same row, and a version 2 row whose lineage is NULL
        LocalDate day = LocalDate.parse("2026-01-21");
        Tick old = tick("EURUSD", "2026-01-21T09:00:00Z", 1.2, 1.2002);
        writeVersionOne(DayFiles.path(node1, day), old);
        writeVersionOne(DayFiles.path(node2, day), old);
        Tick later = tick("EURUSD", "2026-01-21T09:00:01Z", 1.21, 1.2102);
        writeKafka(node1, A, 100, later);
        writeKafka(node2, A, 100, later);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(node2, day));
             Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("UPDATE ticks SET stream_id = NULL, position = NULL")).isEqualTo(2);
        }
        assertThat(lineage(DayFiles.path(node1, day))).containsExactly("null@null", A + "@100");

        Cli.Run run = Cli.run("query", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "--from", "2026-01-21", "--to", "2026-01-22");
        Cli.Run stats = Cli.run("stats", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--day", "2026-01-21");

        // node1's A@100 and node2's row without lineage are one record, but nothing says so
        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-21T09:00:00.000Z 1.2",
                "2026-01-21T09:00:00.000Z 1.2",
                "2026-01-21T09:00:01.000Z 1.21",
                "2026-01-21T09:00:01.000Z 1.21");
        assertThat(stats.lines()).hasSize(2).last().asString().startsWith("2026-01-21,EURUSD,4,");
    }

    @Test
    void readsVersionOneFilesThatWereNeverUpgradedKeepingEveryRow() throws Exception {
        LocalDate day = LocalDate.parse("2026-01-21");
        Tick old = tick("EURUSD", "2026-01-21T09:00:00Z", 1.2, 1.2002);
        writeVersionOne(DayFiles.path(node1, day), old);
        writeVersionOne(DayFiles.path(node2, day), old);

        Cli.Run run = Cli.run("recent", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--symbol", "EURUSD", "-n", "3");
        Cli.Run single = Cli.run("recent", "--data-dir", node1.toString(), "--symbol", "EURUSD", "-n", "1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(timeAndBid(run)).containsExactly(
                "2026-01-20T00:00:00.500Z 1.15",
                "2026-01-21T09:00:00.000Z 1.2",
                "2026-01-21T09:00:00.000Z 1.2");
        assertThat(timeAndBid(single)).containsExactly("2026-01-21T09:00:00.000Z 1.2");
        // read only: the files are still version 1
        assertThat(userVersion(DayFiles.path(node1, day))).isEqualTo(1);
        assertThat(userVersion(DayFiles.path(node2, day))).isEqualTo(1);
    }

    @Test
    void checkReportsEveryDirAndFailsWhenOneHasAProblem() throws Exception {
        Cli.Run sound = Cli.run("check", "--data-dir", node1.toString(), "--data-dir", node2.toString());

        assertThat(sound.exitCode()).as(sound.err()).isZero();
        assertThat(sound.lines()).contains(
                node1 + ": 1 files checked, 0 with problems, 6 ticks in sound files",
                node2 + ": 2 files checked, 0 with problems, 6 ticks in sound files",
                "all 2 dirs: 3 files checked, 0 with problems, 12 ticks in sound files");

        Path broken = DayFiles.path(node2, LocalDate.parse("2026-01-22"));
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, "not a database, not a database, not a database, not a database, not a database");
        Cli.Run bad = Cli.run("check", "--data-dir", node1.toString(), "--data-dir", node2.toString());

        assertThat(bad.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(bad.lines()).contains(
                node1 + ": 1 files checked, 0 with problems, 6 ticks in sound files",
                node2 + ": 3 files checked, 1 with problems, 6 ticks in sound files")
                .anySatisfy(line -> assertThat(line).startsWith("PROBLEM  " + broken + ": "));
    }

    @Test
    void checkCountsTheCopiesEachDayHoldsAcrossTheDirs() {
        Cli.Run run = Cli.run("check", "--copies", "--data-dir", node1.toString(), "--data-dir", node2.toString());
        Cli.Run one = Cli.run("check", "--copies", "--data-dir", node1.toString());

        // A2, A3 and B1 are on both nodes
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines()).endsWith(
                "all 2 dirs: 3 files checked, 0 with problems, 12 ticks in sound files",
                "copies   2026-01-19: 3",
                "copies   2026-01-20: 0",
                "3 rows are copies of a record stored in another file or dir");
        assertThat(one.lines()).endsWith("copies   2026-01-19: 0", "0 rows are copies of a record stored in another file or dir");
    }

    @Test
    void checkOfOneDirPrintsItsSummaryAsBefore() {
        Cli.Run run = Cli.run("check", "--data-dir", node2.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).last().isEqualTo("2 files checked, 0 with problems, 6 ticks in sound files");
    }

    private static List<String> timeAndBid(Cli.Run run) {
        return run.lines().stream().skip(1).map(line -> line.split(",")[1] + " " + line.split(",")[2]).toList();
    }

    /** Writes the ticks as the consumer does a Kafka partition's records from {@code first} on. */
    private static void writeKafka(Path dataDir, String stream, long first, Tick... ticks) throws StoreException {
        Path file = DayFiles.path(dataDir, DayFiles.day(ticks[0].timestampMillis()));
        try (DayDatabase db = DayDatabase.open(file, DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk(stream, null, ticks.length);
            for (int i = 0; i < ticks.length; i++) {
                chunk.add(first + i, ticks[i]);
            }
            db.write(List.of(chunk));
        }
    }

    /** A day file as schema version 1 wrote it: no lineage columns, no streams table. */
    private static void writeVersionOne(Path file, Tick... ticks) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE ticks (symbol TEXT NOT NULL, timestamp INTEGER NOT NULL, bid REAL NOT NULL, "
                    + "ask REAL NOT NULL, spread REAL NOT NULL, lp_source TEXT, broker_id TEXT)");
            st.execute("CREATE INDEX idx_ticks_symbol_timestamp ON ticks (symbol, timestamp)");
            st.execute("CREATE TABLE stream_positions (stream TEXT NOT NULL PRIMARY KEY, next_position INTEGER NOT NULL, "
                    + "fingerprint TEXT, updated_at INTEGER NOT NULL) WITHOUT ROWID");
            for (Tick t : ticks) {
                st.execute("INSERT INTO ticks VALUES ('" + t.symbol() + "', " + t.timestampMillis() + ", " + t.bid()
                        + ", " + t.ask() + ", " + t.spread() + ", 'LP1', NULL)");
            }
            st.execute("PRAGMA application_id = " + DayDatabase.APPLICATION_ID);
            st.execute("PRAGMA user_version = 1");
        }
    }

    private static List<String> lineage(Path file) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.name, t.position FROM ticks t LEFT JOIN streams s ON s.id = t.stream_id "
                     + "ORDER BY t.rowid")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "@" + rs.getString(2));
            }
        }
        return rows;
    }

    private static int userVersion(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

}
