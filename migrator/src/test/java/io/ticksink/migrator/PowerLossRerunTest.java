package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.migrator.ArchiveGenerator.TimeStyle;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.MigrationLedger;
import io.ticksink.schema.Tick;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migrator writes day files with {@code synchronous=NORMAL}, and its ledger is another file: a
 * power loss can keep a ledger entry while a day file loses the commits behind it. These tests
 * make that state for real (the day file's last WAL frames lost, or the whole day file) and check
 * that a re-run stores every tick exactly once.
 */
class PowerLossRerunTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private static final String LATE_FILE = "GBPUSD/" + DAY.plusDays(1) + ".json";

    @TempDir
    Path dir;

    private Path input() {
        return dir.resolve("archive");
    }

    private Path output() {
        return dir.resolve("data");
    }

    private record Run(int exit, String out) {
    }

    private Run migrate(String... extra) {
        List<String> args = new ArrayList<>(List.of("--input-dir", input().toString(), "--output-dir",
                output().toString(), "--progress", "none", "--threads", "2", "--writers", "2", "--batch-size", "50",
                "--max-queued-ticks", "200"));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out + err.toString());
    }

    private Map<Tick, Integer> write(FileSpec spec, Map<Tick, Integer> expected) throws Exception {
        ArchiveGenerator.write(input(), spec, t -> StoredRows.add(expected, t));
        return expected;
    }

    /**
     * A file of local day D+1 at +02:00: its first 250 ticks fall on UTC day D, written to that day
     * file in 5 transactions of 50, the rest on D+1.
     */
    private static FileSpec lateFile() {
        return FileSpec.plain("GBPUSD", DAY.plusDays(1), 3000).with(TimeStyle.RFC3339_OFFSET_PLUS_2);
    }

    @Test
    void aRerunStoresWhatADayFileLostInItsLastWalFramesThoughTheLedgerListsTheFile() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000), new HashMap<>());
        assertThat(migrate().exit()).isZero(); // closing checkpoints day D: its main file holds EURUSD
        Path dayFile = DayFiles.path(output(), DAY);
        Path wal = Path.of(dayFile + "-wal");
        write(lateFile(), expected);

        // a reader holding its snapshot keeps the second run's commits in the WAL (no checkpoint)
        Path crash = Files.createDirectories(dir.resolve("crash-image"));
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + dayFile)) {
            reader.setAutoCommit(false);
            assertThat(count(reader, "SELECT count(*) FROM ticks")).isEqualTo(1000);
            assertThat(migrate().exit()).isZero();
            // what a power loss leaves: the checkpointed main file and the WAL up to some commit
            Files.copy(dayFile, crash.resolve("day.db"));
            Files.copy(wal, crash.resolve("day.db-wal"));
            reader.rollback();
        }
        int commits = truncateAfterCommit(crash.resolve("day.db-wal"), 2);
        assertThat(commits).as("commit frames the second run wrote to day D").isGreaterThanOrEqualTo(5);
        powerLoss(dayFile, crash.resolve("day.db"), crash.resolve("day.db-wal"));

        // the fault happened: day D lost the late file's last commits, the ledger still lists it
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dayFile)) {
            assertThat(count(db, "SELECT count(*) FROM ticks WHERE symbol = 'GBPUSD'")).isEqualTo(100);
            assertThat(count(db, "SELECT count(*) FROM ticks WHERE symbol = 'EURUSD'")).isEqualTo(1000);
        }
        assertThat(ledgerPaths()).contains(LATE_FILE);
        assertThat(StoredRows.multiset(output())).as("rows before the re-run").isNotEqualTo(expected);

        Run rerun = migrate();

        assertThat(rerun.exit()).as(rerun.out()).isZero();
        assertStoredExactlyOnce(expected);
        assertThat(rerun.out()).contains("2 found: 1 loaded, 1 already loaded")
                .contains("1 listed as loaded but not complete in their day files: loaded again")
                .contains("150 stored, 2,850 already stored");

        Run third = migrate();
        assertThat(third.out()).contains("2 found: 0 loaded, 2 already loaded").contains("0 read");
        assertStoredExactlyOnce(expected);
    }

    @Test
    void aRerunStoresADayFileThatWasLostWholeThoughTheLedgerListsItsFiles() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000), new HashMap<>());
        write(lateFile(), expected);
        assertThat(migrate().exit()).isZero();
        Path lost = DayFiles.path(output(), DAY.plusDays(1));
        // created in the run and never synced with its directory: gone after the power loss
        Files.delete(lost);
        assertThat(ledgerPaths()).contains(LATE_FILE);

        Run rerun = migrate();

        assertThat(rerun.exit()).as(rerun.out()).isZero();
        assertStoredExactlyOnce(expected);
        assertThat(rerun.out()).contains("1 listed as loaded but not complete in their day files: loaded again")
                .contains("2,750 stored, 250 already stored");
    }

    @Test
    void aDayFileTheCheckCannotReadIsNotTrustedItsFilesLoadAgainOnceItIsFree() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000), new HashMap<>());
        assertThat(migrate().exit()).isZero();
        Path dayFile = DayFiles.path(output(), DAY);

        Run whileLocked;
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dayFile);
             Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE"); // another writer holds the day file past every timeout
            whileLocked = migrate("--busy-timeout", "PT0.05S", "--retry-for", "PT0.3S");
            st.execute("ROLLBACK");
        }
        Run free = migrate();

        // neither trusted unchecked nor a reason to stop: the file is not complete until written
        assertThat(whileLocked.exit()).as(whileLocked.out()).isEqualTo(1);
        assertThat(whileLocked.out()).contains("1 found: 0 loaded, 1 not written completely")
                .contains("1 listed as loaded but not complete in their day files: loaded again");
        assertThat(free.exit()).as(free.out()).isZero();
        assertThat(free.out()).contains("1 found: 1 loaded").contains("0 stored, 1,000 already stored");
        assertStoredExactlyOnce(expected);
        assertThat(migrate().out()).contains("1 found: 0 loaded, 1 already loaded");
    }

    @Test
    void aDayArchivedByRetentionIsTrustedAndNotLoadedAgainBesideItsArchive() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 1000), new HashMap<>());
        assertThat(migrate().exit()).isZero();
        Path dayFile = DayFiles.path(output(), DAY);
        // what retention --compress leaves: the archive only (its content is not read here)
        Files.move(dayFile, Path.of(dayFile + ".zst"));

        Run rerun = migrate();

        assertThat(rerun.exit()).as(rerun.out()).isZero();
        assertThat(rerun.out()).contains("1 found: 0 loaded, 1 already loaded");
        assertThat(dayFile).doesNotExist();
    }

    @Test
    void aVersionOneLedgerIsUpgradedAndItsEntriesAreCheckedByLoadingThemOnce() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000), new HashMap<>());
        assertThat(migrate().exit()).isZero();
        Path ledger = output().resolve(MigrationLedger.FILE_NAME);
        Files.delete(ledger);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + ledger);
             Statement st = db.createStatement()) {
            // the version 1 ledger, as an earlier build left it
            st.execute("CREATE TABLE loaded_files (path TEXT NOT NULL PRIMARY KEY, fingerprint TEXT NOT NULL, "
                    + "records INTEGER NOT NULL, loaded_at INTEGER NOT NULL) WITHOUT ROWID");
            st.execute("INSERT INTO loaded_files VALUES ('EURUSD/" + DAY + ".json', '"
                    + SourceFingerprint.of(input().resolve("EURUSD/" + DAY + ".json")) + "', 1000, 0)");
            st.execute("PRAGMA application_id = " + MigrationLedger.APPLICATION_ID);
            st.execute("PRAGMA user_version = 1");
        }

        Run upgraded = migrate();
        Run again = migrate();

        assertThat(upgraded.out()).contains("1 found: 1 loaded").contains("0 stored, 1,000 already stored");
        assertThat(again.out()).contains("1 found: 0 loaded, 1 already loaded");
        assertStoredExactlyOnce(expected);
    }

    /** Every expected tick stored exactly once and nothing else; a failure names the count of each kind. */
    private void assertStoredExactlyOnce(Map<Tick, Integer> expected) throws Exception {
        Map<Tick, Integer> stored = StoredRows.multiset(output());
        long missing = 0;
        long extra = 0;
        for (Map.Entry<Tick, Integer> e : expected.entrySet()) {
            missing += Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0));
        }
        for (Map.Entry<Tick, Integer> e : stored.entrySet()) {
            extra += Math.max(0, e.getValue() - expected.getOrDefault(e.getKey(), 0));
        }
        assertThat(List.of(missing, extra)).as("ticks missing, ticks stored beyond their count in the source")
                .containsExactly(0L, 0L);
    }

    /** Replaces the day file by the crash image; the shared-memory index does not survive a reboot. */
    private static void powerLoss(Path dayFile, Path db, Path wal) throws Exception {
        Files.deleteIfExists(Path.of(dayFile + "-shm"));
        Files.copy(db, dayFile, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(wal, Path.of(dayFile + "-wal"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Cuts a WAL file after its {@code keep}-th commit frame (SQLite's WAL format: a 32-byte header,
     * then frames of a 24-byte header and one page; a commit frame's header holds the database size
     * after the commit, other frames 0). Returns the commit frames it held.
     */
    private static int truncateAfterCommit(Path wal, int keep) throws Exception {
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(32);
            ch.read(header, 0);
            int pageSize = header.getInt(8);
            long frameSize = 24L + pageSize;
            List<Long> commitEnds = new ArrayList<>();
            ByteBuffer frame = ByteBuffer.allocate(24);
            for (long at = 32; at + frameSize <= ch.size(); at += frameSize) {
                frame.clear();
                ch.read(frame, at);
                if (frame.getInt(4) != 0) {
                    commitEnds.add(at + frameSize);
                }
            }
            ch.truncate(commitEnds.get(keep - 1));
            return commitEnds.size();
        }
    }

    private List<String> ledgerPaths() throws Exception {
        List<String> paths = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + output().resolve(MigrationLedger.FILE_NAME));
             Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT path FROM loaded_files")) {
            while (rs.next()) {
                paths.add(rs.getString(1));
            }
        }
        return paths;
    }

    private static long count(Connection db, String sql) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
