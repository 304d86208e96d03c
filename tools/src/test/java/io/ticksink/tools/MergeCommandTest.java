package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {

    private static final LocalDate DAY = LocalDate.parse("2026-02-10");
    private static final LocalDate DAY2 = LocalDate.parse("2026-02-11");
    private static final String P0 = StreamChunk.kafkaStream("ticks", 0);
    private static final String P1 = StreamChunk.kafkaStream("ticks", 1);
    private static final String P2 = StreamChunk.kafkaStream("ticks", 2);

    @TempDir
    Path work;

    /** Writes the records [from, to] of a stream to a dir as the consumer does, one Kafka-like chunk. */
    private static void consume(Path dataDir, LocalDate day, String stream, String fingerprint, long from, long to) throws Exception {
        try (TickStore store = new TickStore(dataDir, DayFixtures.OPTIONS)) {
            store.write(day, List.of(chunk(day, stream, fingerprint, from, to)));
        }
    }

    private static StreamChunk chunk(LocalDate day, String stream, String fingerprint, long from, long to) {
        StreamChunk chunk = new StreamChunk(stream, fingerprint, (int) (to - from + 1));
        long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        for (long p = from; p <= to; p++) {
            // the tick's content names its record, so copies are recognisable in the assertions
            chunk.add(p, new Tick("EURUSD", start + p, 1.1, 1.2, 0.1, "LP1", stream + "@" + p));
        }
        return chunk;
    }

    /** Every row's lineage as {@code stream@position}, the tick's broker id checked to match it. */
    private static List<String> lineage(Path file) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.name, t.position, t.broker_id FROM ticks t "
                     + "LEFT JOIN streams s ON s.id = t.stream_id ORDER BY s.name, t.position")) {
            while (rs.next()) {
                String row = rs.getString(1) + "@" + rs.getObject(2);
                if (rs.getObject(2) != null) {
                    assertThat(rs.getString(3)).as("tick content of " + row).isEqualTo(row);
                }
                rows.add(row);
            }
        }
        rows.sort(null);
        return rows;
    }

    private static Map<String, Long> positions(Path file) throws Exception {
        try (DayDatabase db = DayDatabase.open(file, DayFixtures.OPTIONS)) {
            return new TreeMap<>(db.positions());
        }
    }

    private static List<String> expected(String stream, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(p -> stream + "@" + p).toList();
    }

    private static List<String> sorted(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all.stream().sorted().collect(Collectors.toList());
    }

    private void twoOverlappingSources(Path a, Path b) throws Exception {
        consume(a, DAY, P0, "id-0", 0, 9);
        consume(a, DAY, P1, "id-1", 0, 4);
        consume(b, DAY, P0, "id-0", 5, 14); // 5..9 are copies of what a holds (a redelivery after a rebalance)
        consume(b, DAY, P2, "id-2", 0, 2);
        consume(b, DAY2, P0, "id-0", 15, 16);
    }

    @Test
    void overlappingSourceDirsMergeIntoEveryRecordExactlyOnceWithTheGreaterPositions() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        twoOverlappingSources(a, b);
        byte[] sourceBefore = Files.readAllBytes(DayFiles.path(a, DAY));

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readAllBytes(DayFiles.path(a, DAY))).as("a source day file, only read").isEqualTo(sourceBefore);
        Path file = DayFiles.path(target, DAY);
        assertThat(lineage(file)).containsExactlyElementsOf(
                sorted(expected(P0, 0, 14), expected(P1, 0, 4), expected(P2, 0, 2)));
        assertThat(lineage(DayFiles.path(target, DAY2))).containsExactlyElementsOf(expected(P0, 15, 16));
        assertThat(positions(file)).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 15L, P1, 5L, P2, 3L));
        assertThat(run.out()).contains(DAY + "  23 rows added, 5 copies dropped, 0 rows without lineage");
        assertThat(run.out()).contains(DAY2 + "  2 rows added, 0 copies dropped");
        assertThat(run.lines()).last().asString().startsWith("2 days merged, 0 failed");
        assertThat(io.ticksink.schema.DayCheck.check(file, true).problems()).isEmpty();
    }

    @Test
    void aSourceStreamOfAnotherIncarnationIsCountedAndTheTargetsFingerprintAndPositionKept() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        consume(a, DAY, P0, "id-0", 0, 4);
        consume(b, DAY, P0, "id-recreated", 0, 9); // the topic deleted and created again

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("1 stream fingerprints differing from the target's (target's kept)");
        assertThat(positions(DayFiles.path(target, DAY))).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 5L));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(target, DAY));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint FROM stream_positions WHERE stream = '" + P0 + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("id-0");
        }
    }

    @Test
    void aSecondMergeAddsNothing() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        twoOverlappingSources(a, b);
        assertThat(Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString()).exitCode()).isZero();
        List<String> before = lineage(DayFiles.path(target, DAY));

        Cli.Run again = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(lineage(DayFiles.path(target, DAY))).containsExactlyElementsOf(before);
        assertThat(again.out()).contains(DAY + "  0 rows added, 28 copies dropped");
        assertThat(again.out()).contains(DAY2 + "  0 rows added, 2 copies dropped");
    }

    @Test
    void aConsumerWritingRedeliveredRecordsIntoTheMergedDirSkipsWhatTheMergeBrought() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        twoOverlappingSources(a, b);
        assertThat(Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString()).exitCode()).isZero();

        // a consumer now pointed at the target is redelivered 10..20 of partition 0
        consume(target, DAY, P0, "id-0", 10, 20);

        assertThat(lineage(DayFiles.path(target, DAY))).containsExactlyElementsOf(
                sorted(expected(P0, 0, 20), expected(P1, 0, 4), expected(P2, 0, 2)));
    }

    @Test
    void onlyTheDaysAskedForAreMerged() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        twoOverlappingSources(a, b);

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString(),
                "--day", DAY2.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.exists(DayFiles.path(target, DAY))).isFalse();
        assertThat(lineage(DayFiles.path(target, DAY2))).containsExactlyElementsOf(expected(P0, 15, 16));
    }

    @Test
    void rowsWithoutLineageAreCopiedAsOftenAsOneSourceHoldsThemHoweverManySourcesAndRunsCopyThem() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        Path v1 = DayFiles.path(a, DAY);
        writeVersionOneFile(v1);
        // b holds a copy of the same version 1 file (a node's dir copied before the upgrade)
        Files.createDirectories(DayFiles.path(b, DAY).getParent());
        Files.copy(v1, DayFiles.path(b, DAY));
        consume(b, DAY, P0, "id-0", 0, 1); // upgrades b's copy; its new rows have lineage

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());
        Cli.Run again = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(DAY + "  5 rows added, 0 copies dropped, 6 rows without lineage (3 added)");
        assertThat(again.out()).contains(DAY + "  0 rows added, 2 copies dropped, 6 rows without lineage (0 added)");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(target, DAY));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT broker_id, count(*) FROM ticks WHERE stream_id IS NULL "
                     + "GROUP BY broker_id ORDER BY broker_id")) {
            Map<String, Integer> copies = new TreeMap<>();
            while (rs.next()) {
                copies.put(rs.getString(1), rs.getInt(2));
            }
            // the tick the v1 file holds twice (two distinct ticks with equal content) stays twice
            assertThat(copies).containsExactlyInAnyOrderEntriesOf(Map.of("same", 2, "other", 1));
        }
        assertThat(lineage(DayFiles.path(target, DAY)).stream().filter(r -> !r.startsWith("null")))
                .containsExactlyElementsOf(expected(P0, 0, 1));
        assertThat(positions(DayFiles.path(target, DAY))).containsEntry(P0, 2L);
    }

    private static void writeVersionOneFile(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        long t = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE ticks (symbol TEXT NOT NULL, timestamp INTEGER NOT NULL, bid REAL NOT NULL, "
                    + "ask REAL NOT NULL, spread REAL NOT NULL, lp_source TEXT, broker_id TEXT)");
            st.execute("CREATE INDEX idx_ticks_symbol_timestamp ON ticks (symbol, timestamp)");
            st.execute("CREATE TABLE stream_positions (stream TEXT NOT NULL PRIMARY KEY, next_position INTEGER NOT NULL, "
                    + "fingerprint TEXT, updated_at INTEGER NOT NULL) WITHOUT ROWID");
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + t + ", 1.1, 1.2, 0.1, NULL, 'same')");
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + t + ", 1.1, 1.2, 0.1, NULL, 'same')");
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + (t + 1) + ", 1.1, 1.2, 0.1, NULL, 'other')");
            st.execute("PRAGMA application_id = " + DayDatabase.APPLICATION_ID);
            st.execute("PRAGMA user_version = 1");
        }
    }

    @Test
    void aMissingSourceDirEndsTheMergeWithOneMessageBeforeAnythingIsWritten() throws Exception {
        Path a = work.resolve("a");
        Path target = work.resolve("target");
        consume(a, DAY, P0, "id-0", 0, 3);

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", work.resolve("nope").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.err()).contains("source data dir " + work.resolve("nope") + " does not exist");
        assertThat(Files.exists(target)).isFalse();
    }

    @Test
    void aCorruptSourceFailsItsDayLeavingTheTargetDayAsItWasAndTheSourceUntouched() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        consume(a, DAY, P0, "id-0", 0, 3);
        Path corrupt = DayFiles.path(b, DAY);
        Files.createDirectories(corrupt.getParent());
        Files.write(corrupt, new byte[8192]); // not a database
        byte[] before = Files.readAllBytes(corrupt);

        Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.out()).contains("FAILED   " + DAY);
        assertThat(run.err()).contains("1 of 1 days could not be merged");
        assertThat(lineage(DayFiles.path(target, DAY))).as("nothing of a's day merged without b's").isEmpty();
        assertThat(Files.readAllBytes(corrupt)).isEqualTo(before);
    }

    @Test
    void aMergeKilledMidwayAndRunAgainLeavesEveryRecordExactlyOnce() throws Exception {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Path target = work.resolve("target");
        int days = 30;
        int perDay = 4000;
        LocalDate first = LocalDate.parse("2026-01-01");
        try (TickStore sa = new TickStore(a, DayFixtures.OPTIONS); TickStore sb = new TickStore(b, DayFixtures.OPTIONS)) {
            for (int d = 0; d < days; d++) {
                LocalDate day = first.plusDays(d);
                long base = (long) d * perDay;
                sa.write(day, List.of(chunk(day, P0, "id-0", base, base + perDay - 1)));
                // b holds the second half of a's records again, and its own partition
                sb.write(day, List.of(chunk(day, P0, "id-0", base + perDay / 2, base + perDay - 1),
                        chunk(day, P1, "id-1", base, base + perDay - 1)));
            }
        }
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir", work.toString()),
                Main.class.getName(), "merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve("merge.out").toFile());
        Process merge = pb.start();
        try {
            // kill it once it has merged a few days and is writing the next ones
            await().atMost(Duration.ofMinutes(2)).ignoreException(java.io.UncheckedIOException.class).until(() -> !merge.isAlive() || mergedDays(target) >= 3);
            merge.destroyForcibly().waitFor(); // SIGKILL
        } finally {
            merge.destroyForcibly();
        }
        String output = Files.readString(work.resolve("merge.out"));
        // the fault happened: the merge was killed before its summary, some days not merged
        assertThat(merge.exitValue()).as(output).isEqualTo(137);
        assertThat(output).doesNotContain("days merged");
        assertThat(mergedDays(target)).isLessThan(days);

        Cli.Run rerun = Cli.run("merge", "--data-dir", target.toString(), "--from", a.toString(), "--from", b.toString());

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        for (int d = 0; d < days; d++) {
            LocalDate day = first.plusDays(d);
            long base = (long) d * perDay;
            Path file = DayFiles.path(target, day);
            assertThat(lineage(file)).as(day.toString()).containsExactlyElementsOf(
                    sorted(expected(P0, base, base + perDay - 1), expected(P1, base, base + perDay - 1), List.of()));
            assertThat(positions(file)).containsExactlyInAnyOrderEntriesOf(Map.of(P0, base + perDay, P1, base + perDay));
        }
    }

    /** Target day files holding committed rows. */
    private static long mergedDays(Path target) throws IOException {
        long n = 0;
        for (Path f : DayFiles.list(target)) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + f + "?mode=ro");
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks")) {
                if (rs.next() && rs.getLong(1) > 0) {
                    n++;
                }
            } catch (java.sql.SQLException e) {
                // a file just being created: not merged yet
            }
        }
        return n;
    }
}
