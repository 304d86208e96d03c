package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TickStoreTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private static final String STREAM = StreamChunk.kafkaStream("ticks", 3);

    @TempDir
    Path dataDir;

    private TickStore store;

    @BeforeEach
    void openStore() {
        store = new TickStore(dataDir, StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static Tick tick(LocalDate day, int i) {
        return new Tick(i % 2 == 0 ? "EURUSD" : "GBPUSD", DayFiles.startMillis(day) + i * 1000L, 1.0 + i, 1.5 + i, 0.5,
                i % 3 == 0 ? null : "LP" + i, i % 5 == 0 ? null : "B" + i);
    }

    /** Ticks at positions {@code from..to} (inclusive) of a stream, each tick derived from its position. */
    private static StreamChunk chunk(String stream, String fingerprint, LocalDate day, int from, int to) {
        StreamChunk chunk = new StreamChunk(stream, fingerprint, to - from + 1);
        for (int i = from; i <= to; i++) {
            chunk.add(i, tick(day, i));
        }
        return chunk;
    }

    private static List<Tick> ticks(LocalDate day, int from, int to) {
        List<Tick> ticks = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            ticks.add(tick(day, i));
        }
        return ticks;
    }

    private Path file() {
        return store.fileOf(DAY);
    }

    private static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static Object query(Path file, String sql) throws SQLException {
        try (Connection c = connect(file); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    @Test
    void aWrittenChunkIsExactlyWhatTheFileHolds() throws Exception {
        WriteResult result = store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9)));

        assertThat(result).isEqualTo(new WriteResult(10, 0));
        assertThat(file()).isEqualTo(dataDir.resolve("2026/01/ticks_2026-01-19.db"));
        assertThat(DayReader.readAll(file())).containsExactlyElementsOf(ticks(DAY, 0, 9));
        assertThat(DayReader.count(file())).isEqualTo(10);
        // a chunk's rows go in grouped by symbol, each symbol's in stream order: EURUSD has the even positions
        assertThat(DayReader.sample(file(), 3)).containsExactly(tick(DAY, 0), tick(DAY, 2), tick(DAY, 4));
        assertThat(DayReader.positions(file())).containsExactly(Map.entry(STREAM, 10L));
        assertThat(store.positions(DAY)).containsExactly(Map.entry(STREAM, 10L));
    }

    /** Chunks whose iteration throws an Error after the first chunk was inserted, inside the write's transaction. */
    private static Collection<StreamChunk> failingAfterFirst(StreamChunk first, Error error) {
        return new AbstractCollection<>() {
            @Override
            public Iterator<StreamChunk> iterator() {
                return new Iterator<>() {
                    private boolean served;

                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public StreamChunk next() {
                        if (served) {
                            throw error;
                        }
                        served = true;
                        return first;
                    }
                };
            }

            @Override
            public int size() {
                return 2;
            }
        };
    }

    @Test
    void anErrorInsideAWriteStoresNothingAndTheNextWriteReopensTheFile() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)));
        OutOfMemoryError error = new OutOfMemoryError("simulated inside the write");

        // the fault happened: the Error reached the caller, and the half-written chunk was rolled back
        assertThatThrownBy(() -> store.write(DAY, failingAfterFirst(chunk(STREAM, null, DAY, 5, 9), error)))
                .isSameAs(error);
        assertThat(DayReader.readAll(file())).containsExactlyElementsOf(ticks(DAY, 0, 4));

        // a deadline against the spin on a closed cached database, not a performance check
        WriteResult next = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 5, 9))));
        Map<String, Long> positions = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> store.positions(DAY));

        assertThat(next).isEqualTo(new WriteResult(5, 0));
        assertThat(DayReader.readAll(file())).containsExactlyElementsOf(ticks(DAY, 0, 9));
        assertThat(DayReader.positions(file())).containsExactly(Map.entry(STREAM, 10L));
        assertThat(positions).containsExactly(Map.entry(STREAM, 10L));
        assertThat(store.openFiles()).isEqualTo(1);
    }

    @Test
    void writingTheSameChunkTwiceStoresNothingTwice() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9)));

        WriteResult again = store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9)));

        assertThat(again).isEqualTo(new WriteResult(0, 10));
        assertThat(DayReader.readAll(file())).containsExactlyElementsOf(ticks(DAY, 0, 9));
    }

    @Test
    void anOverlappingChunkStoresOnlyItsNewPositions() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9)));

        WriteResult overlap = store.write(DAY, List.of(chunk(STREAM, null, DAY, 5, 14)));

        assertThat(overlap).isEqualTo(new WriteResult(5, 5));
        assertThat(DayReader.readAll(file())).containsExactlyElementsOf(ticks(DAY, 0, 14));
        assertThat(DayReader.positions(file())).containsEntry(STREAM, 15L);
    }

    @Test
    void anOlderChunkNeverMovesTheStoredPositionBack() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 14)));

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)))).isEqualTo(new WriteResult(0, 5));
        assertThat(DayReader.positions(file())).containsEntry(STREAM, 15L);
    }

    @Test
    void anAdvancedPositionSkipsRecordsThatWentToOtherDays() throws Exception {
        StreamChunk chunk = chunk(STREAM, null, DAY, 0, 4);
        chunk.advanceTo(20);
        store.write(DAY, List.of(chunk));

        assertThat(DayReader.positions(file())).containsEntry(STREAM, 20L);
        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 15, 24)))).isEqualTo(new WriteResult(5, 5));
    }

    @Test
    void twoStreamsAreStoredInOneTransactionWithTheirOwnPositions() throws Exception {
        String other = StreamChunk.kafkaStream("ticks", 4);

        WriteResult result = store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4), chunk(other, null, DAY, 100, 102)));

        assertThat(result).isEqualTo(new WriteResult(8, 0));
        assertThat(DayReader.positions(file())).containsExactly(Map.entry(STREAM, 5L), Map.entry(other, 103L));
        assertThat(store.write(DAY, List.of(chunk(other, null, DAY, 100, 103), chunk(STREAM, null, DAY, 0, 5))))
                .isEqualTo(new WriteResult(2, 8));
        assertThat(DayReader.count(file())).isEqualTo(10);
    }

    @Test
    void distinctTicksWithTheSameSymbolAndMillisecondAreAllKept() throws Exception {
        long millis = DayFiles.startMillis(DAY) + 42;
        StreamChunk chunk = new StreamChunk(STREAM, null, 3);
        chunk.add(0, new Tick("EURUSD", millis, 1.1, 1.2, 0.1, "LP1", null));
        chunk.add(1, new Tick("EURUSD", millis, 1.1, 1.2, 0.1, "LP2", null));
        chunk.add(2, new Tick("EURUSD", millis, 1.1, 1.2, 0.1, "LP1", null)); // same content, another record

        assertThat(store.write(DAY, List.of(chunk)).stored()).isEqualTo(3);
        assertThat(DayReader.readAll(file())).hasSize(3).extracting(Tick::lpSource).containsExactly("LP1", "LP2", "LP1");
    }

    @Test
    void aChunkOfALargeBatchIsStoredWhole() throws Exception {
        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 2999))).stored()).isEqualTo(3000);
        assertThat(DayReader.count(file())).isEqualTo(3000);
    }

    @Test
    void aSourceFileWithAnotherFingerprintIsRefusedAndNothingIsWritten() throws Exception {
        String file = StreamChunk.fileStream("EURUSD/2026-01-19.json");
        store.write(DAY, List.of(chunk(file, "size=10,crc=1", DAY, 0, 4)));

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4),
                chunk(file, "size=11,crc=2", DAY, 0, 9))))
                .isInstanceOfSatisfying(StoreException.SourceChanged.class, e -> {
                    assertThat(e.stream()).isEqualTo(file);
                    assertThat(e.getMessage()).contains("size=10,crc=1", "size=11,crc=2");
                });

        assertThat(DayReader.count(file())).isEqualTo(5);
        assertThat(DayReader.positions(file())).containsExactly(Map.entry(file, 5L));
    }

    @Test
    void afterARefusedSourceTheDayFileStillTakesWritesFromThisAndOtherConnections() throws Exception {
        String file = StreamChunk.fileStream("EURUSD/2026-01-19.json");
        store.write(DAY, List.of(chunk(file, "a", DAY, 0, 4)));
        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(file, "b", DAY, 0, 4))))
                .isInstanceOf(StoreException.SourceChanged.class);

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4))).stored()).isEqualTo(5);
        assertThat(store.openFiles()).isLessThanOrEqualTo(1);
        assertOtherConnectionCanTakeTheWriteLock(file());
    }

    @Test
    void aKafkaChunkOfAnotherIncarnationIsStoredWholeAndItsPositionStartsAfresh() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, "topic-id-A", DAY, 0, 49)));

        // the topic was deleted and created again: its offsets restart at 0 under a new id
        WriteResult result = store.write(DAY, List.of(chunk(STREAM, "topic-id-B", DAY, 0, 9)));

        assertThat(result).isEqualTo(new WriteResult(10, 0, List.of(STREAM)));
        assertThat(store.positions(DAY)).containsEntry(STREAM, 10L);
        assertThat(DayReader.count(store.fileOf(DAY))).isEqualTo(60);
        // and the new incarnation's redeliveries are skipped as usual
        assertThat(store.write(DAY, List.of(chunk(STREAM, "topic-id-B", DAY, 5, 14)))).isEqualTo(new WriteResult(5, 5));
    }

    @Test
    void aKafkaStreamStoredWithoutFingerprintTakesTheChunksIncarnationAndStillSkipsWhatItHolds() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9))); // a file of an earlier version

        assertThat(store.write(DAY, List.of(chunk(STREAM, "topic-id-A", DAY, 5, 14)))).isEqualTo(new WriteResult(5, 5));
        assertThat(store.write(DAY, List.of(chunk(STREAM, "topic-id-A", DAY, 10, 19)))).isEqualTo(new WriteResult(5, 5));
        assertThat(store.write(DAY, List.of(chunk(STREAM, "topic-id-B", DAY, 0, 0))).restarted()).containsExactly(STREAM);
    }

    @Test
    void aMarkedIncarnationIsNeverTakenForAStreamStoredWithoutOne() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 49)));

        assertThat(store.write(DAY, List.of(chunk(STREAM, "null#1@0", DAY, 0, 9))).restarted()).containsExactly(STREAM);
        assertThat(DayReader.count(store.fileOf(DAY))).isEqualTo(60);
    }

    @Test
    void twoIncarnationsOfAPartitionInOneWriteAreStoredInTheirOrder() throws Exception {
        WriteResult result = store.write(DAY, List.of(chunk(STREAM, "topic-id-A", DAY, 100, 109),
                chunk(STREAM, "topic-id-B", DAY, 0, 4)));

        assertThat(result).isEqualTo(new WriteResult(15, 0, List.of(STREAM)));
        assertThat(store.positions(DAY)).containsEntry(STREAM, 5L);
    }

    @Test
    void theSameFingerprintIsAcceptedAgain() throws Exception {
        String file = StreamChunk.fileStream("EURUSD/2026-01-19.json");
        store.write(DAY, List.of(chunk(file, "a", DAY, 0, 4)));

        assertThat(store.write(DAY, List.of(chunk(file, "a", DAY, 0, 9)))).isEqualTo(new WriteResult(5, 5));
    }

    @Test
    void anOpenIdleDayFileDoesNotHoldTheWriteLock() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)));
        store.positions(DAY);

        assertThat(store.openFiles()).isEqualTo(1);
        assertOtherConnectionCanTakeTheWriteLock(file());
    }

    @Test
    void twoStoresOnOneDataDirTakeTurnsWritingTheSameDay() throws Exception {
        try (TickStore second = new TickStore(dataDir, store.options().withBusyTimeout(Duration.ofSeconds(2)))) {
            for (int i = 0; i < 5; i++) {
                store.write(DAY, List.of(chunk(STREAM, null, DAY, i * 10, i * 10 + 9)));
                second.write(DAY, List.of(chunk("kafka:ticks:4", null, DAY, i * 10, i * 10 + 9)));
            }
        }
        assertThat(DayReader.count(file())).isEqualTo(100);
    }

    private static void assertOtherConnectionCanTakeTheWriteLock(Path file) throws SQLException {
        try (Connection c = connect(file); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 200");
            st.execute("BEGIN IMMEDIATE");
            st.execute("ROLLBACK");
        }
    }

    @Test
    void theFileIsAVersionedWalDatabaseWithTheTicksSchema() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0)));

        assertThat(query(file(), "PRAGMA journal_mode")).isEqualTo("wal");
        assertThat(query(file(), "PRAGMA user_version")).isEqualTo(DayDatabase.SCHEMA_VERSION);
        assertThat(query(file(), "PRAGMA application_id")).isEqualTo(DayDatabase.APPLICATION_ID);
        assertThat(query(file(), "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('ticks') ORDER BY cid)"))
                .isEqualTo("symbol,timestamp,bid,ask,spread,lp_source,broker_id,stream_id,position");
        assertThat(query(file(), "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'idx_ticks_symbol_timestamp'"))
                .isEqualTo(1);
    }

    @Test
    void everyRowCarriesTheStreamAndPositionOfTheRecordItCameFrom() throws Exception {
        String file2 = StreamChunk.fileStream("EURUSD/2026-01-19.json");
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 100, 102), chunk(file2, "f", DAY, 0, 1)));
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 101, 104))); // 101 and 102 redelivered: skipped

        // in rowid order: each chunk's rows grouped by symbol (EURUSD at even positions, GBPUSD at odd
        // ones), in order of first appearance, each symbol's in stream order
        assertThat(lineage()).containsExactly(STREAM + "@100", STREAM + "@102", STREAM + "@101",
                file2 + "@0", file2 + "@1", STREAM + "@103", STREAM + "@104");
        assertThat(query(file(), "SELECT count(*) FROM streams")).isEqualTo(2);
    }

    @Test
    void aVersionOneFileIsUpgradedOnOpenItsRowsReadableWithoutLineageAndNewRowsWithIt() throws Exception {
        Files.createDirectories(file().getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE ticks (symbol TEXT NOT NULL, timestamp INTEGER NOT NULL, bid REAL NOT NULL, "
                    + "ask REAL NOT NULL, spread REAL NOT NULL, lp_source TEXT, broker_id TEXT)");
            st.execute("CREATE INDEX idx_ticks_symbol_timestamp ON ticks (symbol, timestamp)");
            st.execute("CREATE TABLE stream_positions (stream TEXT NOT NULL PRIMARY KEY, next_position INTEGER NOT NULL, "
                    + "fingerprint TEXT, updated_at INTEGER NOT NULL) WITHOUT ROWID");
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli()
                    + ", 1.1, 1.2, 0.1, 'LP', NULL)");
            st.execute("INSERT INTO stream_positions VALUES ('" + STREAM + "', 1, NULL, 0)");
            st.execute("PRAGMA application_id = " + DayDatabase.APPLICATION_ID);
            st.execute("PRAGMA user_version = 1");
        }

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 2)))).isEqualTo(new WriteResult(2, 1));

        assertThat(query(file(), "PRAGMA user_version")).isEqualTo(2);
        assertThat(DayReader.count(file())).isEqualTo(3);
        assertThat(lineage()).containsExactly("null@null", STREAM + "@1", STREAM + "@2");
        assertThat(DayCheck.check(file(), true).problems()).isEmpty();
    }

    private List<String> lineage() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.name, t.position FROM ticks t LEFT JOIN streams s ON s.id = t.stream_id "
                     + "ORDER BY t.rowid")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "@" + rs.getString(2));
            }
        }
        return rows;
    }

    @Test
    void theConnectionUsesTheConfiguredPragmas() throws Exception {
        try (DayDatabase db = DayDatabase.open(file(), StoreOptions.defaults().withBusyTimeout(Duration.ofMillis(1234)))) {
            Connection c = connectionOf(db);
            try (Statement st = c.createStatement()) {
                assertThat(pragma(st, "busy_timeout")).isEqualTo(1234);
                assertThat(pragma(st, "synchronous")).isEqualTo(2); // FULL
                assertThat(pragma(st, "wal_autocheckpoint")).isEqualTo(StoreOptions.defaults().walAutocheckpointPages());
                assertThat(pragma(st, "temp_store")).isEqualTo(2); // MEMORY
            }
        }
    }

    @Test
    void dayFilesAreOpenedWithoutSqlitesPerConnectionMutexButCanStillBeCreated() {
        int flags = DayDatabase.config(StoreOptions.defaults()).getOpenModeFlags();
        assertThat(flags & org.sqlite.SQLiteOpenMode.NOMUTEX.flag).isNotZero();
        assertThat(flags & org.sqlite.SQLiteOpenMode.CREATE.flag).isNotZero();
        assertThat(flags & org.sqlite.SQLiteOpenMode.READWRITE.flag).isNotZero();
    }

    private static Connection connectionOf(DayDatabase db) throws Exception {
        java.lang.reflect.Field field = DayDatabase.class.getDeclaredField("connection");
        field.setAccessible(true);
        return (Connection) field.get(db);
    }

    private static int pragma(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void reopeningAnExistingDayFileKeepsItsRows() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)));
        store.close();
        store = new TickStore(dataDir, StoreOptions.defaults());

        assertThat(store.positions(DAY)).containsEntry(STREAM, 5L);
        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 9)))).isEqualTo(new WriteResult(5, 5));
    }

    @Test
    void positionsOfADayWithoutAFileAreEmptyAndCreateNoFile() throws Exception {
        assertThat(store.positions(DAY)).isEmpty();
        assertThat(file()).doesNotExist();
    }

    @Test
    void aFileOfANewerSchemaVersionIsFatalAndNamesTheVersion() throws Exception {
        createSqlite(file(), "PRAGMA application_id = " + DayDatabase.APPLICATION_ID, "PRAGMA user_version = 7",
                "CREATE TABLE ticks (x)");

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))))
                .isInstanceOf(StoreException.Fatal.class)
                .hasMessageContaining("version 7")
                .hasMessageContaining(file().toString());
    }

    @Test
    void aForeignSqliteFileWithTablesIsFatal() throws Exception {
        createSqlite(file(), "CREATE TABLE ticks (id INTEGER PRIMARY KEY, symbol TEXT)");

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))))
                .isInstanceOf(StoreException.Fatal.class)
                .hasMessageContaining("not a ticksink");
        assertThat(query(file(), "SELECT count(*) FROM sqlite_master")).isEqualTo(1);
    }

    @Test
    void aSqliteFileOfAnotherApplicationIsFatal() throws Exception {
        createSqlite(file(), "PRAGMA application_id = 42");

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))))
                .isInstanceOf(StoreException.Fatal.class)
                .hasMessageContaining("application_id 42");
    }

    @Test
    void aFileThatIsNotSqliteIsFatal() throws Exception {
        Files.createDirectories(file().getParent());
        Files.write(file(), "this is not a database, it is a text file that is long enough to have a header"
                .repeat(100).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))))
                .isInstanceOf(StoreException.Fatal.class);
        assertThat(store.openFiles()).isZero();
    }

    @Test
    void anEmptyExistingFileBecomesADayDatabase() throws Exception {
        Files.createDirectories(file().getParent());
        Files.createFile(file());

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))).stored()).isEqualTo(1);
    }

    @Test
    void aDayFileLockedByAnotherConnectionIsRetriableAndTheSameWriteLaterSucceeds() throws Exception {
        store.close();
        store = new TickStore(dataDir, StoreOptions.defaults().withBusyTimeout(Duration.ofMillis(100)));
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)));

        try (Connection other = connect(file()); Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("INSERT INTO ticks (symbol, timestamp, bid, ask, spread) VALUES ('OTHER', 0, 1, 2, 1)");

            assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 5, 9))))
                    .isInstanceOf(StoreException.Retriable.class)
                    .hasMessageContaining("locked");

            st.execute("COMMIT");
        }

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 5, 9)))).isEqualTo(new WriteResult(5, 0));
        assertThat(DayReader.count(file())).isEqualTo(11);
        assertThat(DayReader.positions(file())).containsEntry(STREAM, 10L);
    }

    @Test
    void aNewDayFileLockedByAnotherConnectionIsRetriableToo() throws Exception {
        store.close();
        store = new TickStore(dataDir, StoreOptions.defaults().withBusyTimeout(Duration.ofMillis(100)));
        Files.createDirectories(file().getParent());

        try (Connection other = connect(file()); Statement st = other.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("BEGIN IMMEDIATE");

            assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4))))
                    .isInstanceOf(StoreException.Retriable.class);

            st.execute("ROLLBACK");
        }

        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 4)))).isEqualTo(new WriteResult(5, 0));
    }

    @Test
    void theLeastRecentlyUsedDayIsClosedBeyondMaxOpenFiles() throws Exception {
        store.close();
        store = new TickStore(dataDir, StoreOptions.defaults().withMaxOpenFiles(2));
        LocalDate d1 = DAY;
        LocalDate d2 = DAY.plusDays(1);
        LocalDate d3 = DAY.plusDays(2);

        store.write(d1, List.of(chunk(STREAM, null, d1, 0, 2)));
        store.write(d2, List.of(chunk(STREAM, null, d2, 0, 2)));
        store.write(d1, List.of(chunk(STREAM, null, d1, 3, 4))); // d2 is now the least recently used
        store.write(d3, List.of(chunk(STREAM, null, d3, 0, 2)));

        assertThat(store.openFiles()).isEqualTo(2);
        assertThat(store.write(d2, List.of(chunk(STREAM, null, d2, 0, 5)))).isEqualTo(new WriteResult(3, 3));
        assertThat(store.openFiles()).isEqualTo(2);
        assertThat(DayReader.count(store.fileOf(d1))).isEqualTo(5);
        assertThat(DayReader.count(store.fileOf(d2))).isEqualTo(6);
        assertThat(DayReader.count(store.fileOf(d3))).isEqualTo(3);
    }

    @Test
    void closeIdleClosesFilesNotWrittenForTheIdleTime() throws Exception {
        store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0)));
        store.write(DAY.plusDays(1), List.of(chunk(STREAM, null, DAY.plusDays(1), 0, 0)));

        assertThat(store.closeIdle(Duration.ofHours(1))).isZero();
        assertThat(store.openFiles()).isEqualTo(2);
        assertThat(store.closeIdle(Duration.ofNanos(-1))).isEqualTo(2);
        assertThat(store.openFiles()).isZero();
        assertThat(store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 1)))).isEqualTo(new WriteResult(1, 1));
    }

    @Test
    void aClosedStoreRefusesWrites() {
        store.close();

        assertThatThrownBy(() -> store.write(DAY, List.of(chunk(STREAM, null, DAY, 0, 0))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentWritesFromFourThreadsToTwoDaysLandExactlyOnce() throws Exception {
        store.close();
        store = new TickStore(dataDir, StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL)
                .withMaxOpenFiles(1)); // forces evictions while other threads hold the files
        LocalDate[] days = {DAY, DAY.plusDays(1)};
        int threads = 4;
        int chunksPerThread = 40;
        int chunkSize = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String stream = StreamChunk.kafkaStream("ticks", t);
                String symbol = "SYM" + t;
                results.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    for (int c = 0; c < chunksPerThread; c++) {
                        LocalDate day = days[c % 2];
                        StreamChunk chunk = new StreamChunk(stream, null, chunkSize);
                        for (int i = c * chunkSize; i < (c + 1) * chunkSize; i++) {
                            chunk.add(i, new Tick(symbol, DayFiles.startMillis(day) + i, 1, 2, 1, null, null));
                        }
                        store.write(day, List.of(chunk));
                        store.write(day, List.of(chunk)); // a redelivery stores nothing
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expectedPerDay = (long) threads * chunksPerThread / 2 * chunkSize;
        for (LocalDate day : days) {
            Path file = store.fileOf(day);
            assertThat(DayReader.count(file)).isEqualTo(expectedPerDay);
            assertThat(query(file, "SELECT count(*) FROM (SELECT DISTINCT symbol, timestamp FROM ticks)"))
                    .isEqualTo((int) expectedPerDay);
            assertThat(DayReader.positions(file)).hasSize(threads);
        }
    }

    private static void createSqlite(Path file, String... statements) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = connect(file); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
