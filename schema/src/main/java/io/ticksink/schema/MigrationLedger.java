package io.ticksink.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * The migrator's list of source files loaded completely, with the fingerprint they had: a file
 * listed with the same fingerprint can be skipped without parsing it again.
 *
 * <p>The ledger is a shortcut, not the truth: the day files' {@code stream_positions} decide what
 * is stored. An entry is written only after every day write of its file committed, so losing the
 * ledger (or the last entries, on a power loss) only costs a re-parse that stores nothing twice.
 *
 * <p>The ledger is a separate file, so a power loss can keep an entry while a day file loses the
 * commits it stands for (the migrator writes day files with {@code synchronous=NORMAL}). Each
 * entry therefore also lists, per day file its file wrote to, the stream position that day file
 * held once the file was loaded ({@link #recordLoaded}); a run checks those against the day files
 * ({@link #forEachDay}) and {@linkplain #markForReload marks} the entries they do not bear out,
 * which then load again. An entry without day positions (version 1 ledgers) cannot be checked
 * and is not {@linkplain Entry#checked() checked}.
 *
 * <p>Thread safe: calls are serialised on the one connection.
 */
public final class MigrationLedger implements AutoCloseable {

    /** {@code PRAGMA application_id} of a ledger: "TKLG". */
    public static final int APPLICATION_ID = 0x544B4C47;
    public static final int SCHEMA_VERSION = 2;
    public static final String FILE_NAME = "migration-ledger.db";

    private final Path file;
    private final Connection connection;
    private final PreparedStatement select;
    private final PreparedStatement upsert;
    private final PreparedStatement deleteDays;
    private final PreparedStatement insertDay;
    private final PreparedStatement forgetDays;

    /**
     * A file the ledger lists.
     *
     * @param fingerprint the fingerprint it was loaded with
     * @param checked whether the entry lists the day positions its file reached, so the day files
     *     can bear it out; {@code false} for an entry {@linkplain #markForReload marked for reload}
     *     or written by a version 1 ledger
     */
    public record Entry(String fingerprint, boolean checked) {
    }

    /** Receives the ledger's day positions, one day at a time. */
    public interface DayVisitor {
        /**
         * @param day a day file some listed file wrote to
         * @param nextPositions per listed file (its path) the next stream position that day file
         *     held once the file was loaded
         */
        void day(LocalDate day, Map<String, Long> nextPositions) throws StoreException;
    }

    private MigrationLedger(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.select = connection.prepareStatement("SELECT fingerprint, days FROM loaded_files WHERE path = ?");
        this.upsert = connection.prepareStatement(
                "INSERT INTO loaded_files (path, fingerprint, records, loaded_at, days) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint, "
                        + "records = excluded.records, loaded_at = excluded.loaded_at, days = excluded.days");
        this.deleteDays = connection.prepareStatement("DELETE FROM loaded_file_days WHERE path = ?");
        this.insertDay = connection.prepareStatement(
                "INSERT INTO loaded_file_days (path, day, next_position) VALUES (?, ?, ?)");
        this.forgetDays = connection.prepareStatement("UPDATE loaded_files SET days = NULL WHERE path = ?");
    }

    /** Opens or creates {@code <dir>/migration-ledger.db}. */
    public static MigrationLedger open(Path dir, StoreOptions options) throws StoreException {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException.Retriable("cannot create " + dir + ": " + e, e);
        }
        Connection connection = null;
        try {
            SQLiteConfig config = DayDatabase.config(options);
            // one statement per transaction: auto-commit, no write lock held between calls
            connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = connection.createStatement()) {
                int applicationId = pragmaInt(st, "application_id");
                int version = pragmaInt(st, "user_version");
                if (applicationId != APPLICATION_ID && applicationId != 0) {
                    throw new StoreException.Fatal(file + " is not a ticksink migration ledger", null);
                }
                if (version > SCHEMA_VERSION) {
                    throw new StoreException.Fatal(file + " has ledger version " + version
                            + ", written by a newer ticksink; this build knows version " + SCHEMA_VERSION, null);
                }
                if (version < SCHEMA_VERSION) {
                    upgrade(st, version);
                }
            }
            return new MigrationLedger(file, connection);
        } catch (SQLException e) {
            close(connection, e);
            throw DayDatabase.classify("open " + file, e);
        } catch (StoreException e) {
            close(connection, e);
            throw e;
        }
    }

    /** Creates the tables (from version 0) or adds the day positions (to a version 1 ledger), in one transaction. */
    private static void upgrade(Statement st, int version) throws SQLException {
        Connection connection = st.getConnection();
        connection.setAutoCommit(false);
        try {
            if (version == 0) {
                st.execute("CREATE TABLE IF NOT EXISTS loaded_files ("
                        + "path TEXT NOT NULL PRIMARY KEY, "     // relative to the input dir
                        + "fingerprint TEXT NOT NULL, "          // size and CRC32C of the raw bytes
                        + "records INTEGER NOT NULL, "           // records in the file
                        + "loaded_at INTEGER NOT NULL, "         // Unix epoch milliseconds
                        + "days INTEGER"                         // rows in loaded_file_days; NULL: unchecked
                        + ") WITHOUT ROWID");
                st.execute("PRAGMA application_id = " + APPLICATION_ID);
            } else {
                // version 1 entries list no day positions: they are re-checked by loading them again
                st.execute("ALTER TABLE loaded_files ADD COLUMN days INTEGER");
            }
            st.execute("CREATE TABLE IF NOT EXISTS loaded_file_days ("
                    + "path TEXT NOT NULL, "                     // loaded_files.path
                    + "day TEXT NOT NULL, "                      // YYYY-MM-DD of a day file the file wrote to
                    + "next_position INTEGER NOT NULL, "         // that file's stream position held by the day file
                    + "PRIMARY KEY (path, day)"
                    + ") WITHOUT ROWID");
            st.execute("CREATE INDEX IF NOT EXISTS loaded_file_days_by_day ON loaded_file_days (day)");
            st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            connection.setAutoCommit(true); // COMMIT
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /** What the ledger says of a file, or {@code null} when it is not listed. */
    public synchronized Entry entry(String path) throws StoreException {
        try {
            select.setString(1, path);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String fingerprint = rs.getString(1);
                rs.getLong(2);
                return new Entry(fingerprint, !rs.wasNull());
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("read " + file, e);
        }
    }

    /**
     * Lists a file as loaded completely; call only after all of its day writes committed.
     *
     * @param dayPositions per day file the file wrote to, the next stream position of the file that
     *     day file holds now: what a later run checks the day file against
     */
    public synchronized void recordLoaded(String path, String fingerprint, long records,
                                          Map<LocalDate, Long> dayPositions) throws StoreException {
        try {
            connection.setAutoCommit(false);
            try {
                upsert.setString(1, path);
                upsert.setString(2, fingerprint);
                upsert.setLong(3, records);
                upsert.setLong(4, System.currentTimeMillis());
                upsert.setLong(5, dayPositions.size());
                upsert.executeUpdate();
                deleteDays.setString(1, path);
                deleteDays.executeUpdate();
                for (Map.Entry<LocalDate, Long> day : dayPositions.entrySet()) {
                    insertDay.setString(1, path);
                    insertDay.setString(2, day.getKey().toString());
                    insertDay.setLong(3, day.getValue());
                    insertDay.addBatch();
                }
                insertDay.executeBatch();
                connection.setAutoCommit(true); // COMMIT
            } catch (SQLException e) {
                rollback(e);
                throw e;
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("write " + file, e);
        }
    }

    /**
     * Hands every day position of every checked entry to {@code visitor}, day by day in day order.
     * Memory holds one day's entries. The visitor must not call this ledger.
     */
    public synchronized void forEachDay(DayVisitor visitor) throws StoreException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT day, path, next_position FROM loaded_file_days ORDER BY day, path")) {
            String day = null;
            Map<String, Long> positions = new LinkedHashMap<>();
            while (rs.next()) {
                String rowDay = rs.getString(1);
                if (day != null && !day.equals(rowDay)) {
                    visitor.day(LocalDate.parse(day), positions);
                    positions = new LinkedHashMap<>();
                }
                day = rowDay;
                positions.put(rs.getString(2), rs.getLong(3));
            }
            if (day != null) {
                visitor.day(LocalDate.parse(day), positions);
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("read " + file, e);
        }
    }

    /**
     * Keeps the entries (and so their fingerprints, to refuse a changed file) but makes them
     * unchecked: their files are loaded again, and the day files store what they lack.
     */
    public synchronized void markForReload(Collection<String> paths) throws StoreException {
        if (paths.isEmpty()) {
            return;
        }
        try {
            connection.setAutoCommit(false);
            try {
                for (String path : paths) {
                    forgetDays.setString(1, path);
                    forgetDays.executeUpdate();
                    deleteDays.setString(1, path);
                    deleteDays.executeUpdate();
                }
                connection.setAutoCommit(true); // COMMIT
            } catch (SQLException e) {
                rollback(e);
                throw e;
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("write " + file, e);
        }
    }

    private void rollback(SQLException cause) {
        try {
            connection.rollback();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(MigrationLedger.class).warn("closing {} failed: {}", file, e.toString());
        }
    }

    private static int pragmaInt(Statement st, String pragma) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void close(Connection connection, Exception cause) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
