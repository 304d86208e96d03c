package io.ticksink.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The migrator's list of source files loaded completely, with the fingerprint they had: a file
 * listed with the same fingerprint can be skipped without parsing it again.
 *
 * <p>The ledger is a shortcut, not the truth: the day files' {@code stream_positions} decide what
 * is stored. An entry is written only after every day write of its file committed, so losing the
 * ledger (or the last entries, on a power loss) only costs a re-parse that stores nothing twice.
 *
 * <p>Thread safe: calls are serialised on the one connection.
 */
public final class MigrationLedger implements AutoCloseable {

    /** {@code PRAGMA application_id} of a ledger: "TKLG". */
    public static final int APPLICATION_ID = 0x544B4C47;
    public static final int SCHEMA_VERSION = 1;
    public static final String FILE_NAME = "migration-ledger.db";

    private final Path file;
    private final Connection connection;
    private final PreparedStatement select;
    private final PreparedStatement upsert;

    private MigrationLedger(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.select = connection.prepareStatement("SELECT fingerprint FROM loaded_files WHERE path = ?");
        this.upsert = connection.prepareStatement(
                "INSERT INTO loaded_files (path, fingerprint, records, loaded_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint, "
                        + "records = excluded.records, loaded_at = excluded.loaded_at");
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
                if (version == 0) {
                    st.execute("CREATE TABLE IF NOT EXISTS loaded_files ("
                            + "path TEXT NOT NULL PRIMARY KEY, "     // relative to the input dir
                            + "fingerprint TEXT NOT NULL, "          // size and CRC32C of the raw bytes
                            + "records INTEGER NOT NULL, "           // records in the file
                            + "loaded_at INTEGER NOT NULL"           // Unix epoch milliseconds
                            + ") WITHOUT ROWID");
                    st.execute("PRAGMA application_id = " + APPLICATION_ID);
                    st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
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

    /** The fingerprint a file was loaded with, or {@code null} when it is not listed. */
    public synchronized String fingerprint(String path) throws StoreException {
        try {
            select.setString(1, path);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("read " + file, e);
        }
    }

    /** Lists a file as loaded completely; call only after all of its day writes committed. */
    public synchronized void recordLoaded(String path, String fingerprint, long records) throws StoreException {
        try {
            upsert.setString(1, path);
            upsert.setString(2, fingerprint);
            upsert.setLong(3, records);
            upsert.setLong(4, System.currentTimeMillis());
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw DayDatabase.classify("write " + file, e);
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
