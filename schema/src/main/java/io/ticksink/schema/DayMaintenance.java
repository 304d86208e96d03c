package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * Maintenance of closed day files: compaction, and exclusive access for archiving or deleting
 * one. Each call opens and closes its own connection. Thread safe.
 */
public final class DayMaintenance {

    private DayMaintenance() {
    }

    /**
     * Refreshes the planner statistics ({@code ANALYZE}), rebuilds the file without free pages
     * ({@code VACUUM}) and folds the write-ahead log into it ({@code wal_checkpoint(TRUNCATE)}).
     * Waits up to {@code busyTimeout} for a writer's lock; a file another connection keeps busy
     * fails as {@link StoreException.Retriable}.
     */
    public static void compact(Path file, Duration busyTimeout) throws StoreException {
        try (Connection c = connect(file, busyTimeout); Statement st = c.createStatement()) {
            requireTicksink(file, st);
            st.execute("ANALYZE");
            // VACUUM in WAL mode writes the new file through the log: checkpoint afterwards
            st.execute("VACUUM");
            checkpoint(file, st);
        } catch (SQLException e) {
            throw DayDatabase.classify("compact " + file, e);
        }
    }

    /**
     * Takes a day file for this process alone: no other connection may have it open, not even
     * an idle one (the SQLite file lock says so), and none can open it until the returned handle
     * is closed. The write-ahead log is folded in first, so the main file alone holds the day.
     * Fails as {@link StoreException.Retriable} when another connection holds the file past
     * {@code busyTimeout}.
     */
    public static ExclusiveDay takeExclusive(Path file, Duration busyTimeout) throws StoreException {
        Connection c = null;
        try {
            c = connect(file, busyTimeout);
            try (Statement st = c.createStatement()) {
                // in WAL mode every open connection keeps a shared lock on the file, so the
                // exclusive lock taken by the first read below proves no one else has it open
                st.execute("PRAGMA locking_mode = EXCLUSIVE");
                requireTicksink(file, st);
                checkpoint(file, st);
                st.execute("BEGIN EXCLUSIVE");
            }
            return new ExclusiveDay(file, c);
        } catch (SQLException e) {
            StoreException failure = DayDatabase.classify("take " + file + " for exclusive use", e);
            closeQuietly(c, failure);
            throw failure;
        } catch (StoreException e) {
            closeQuietly(c, e);
            throw e;
        }
    }

    private static void checkpoint(Path file, Statement st) throws SQLException, StoreException {
        try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            if (rs.next() && rs.getInt(1) != 0) {
                throw new StoreException.Retriable("cannot checkpoint " + file
                        + ": another connection is reading or writing it", null);
            }
        }
    }

    private static void requireTicksink(Path file, Statement st) throws SQLException, StoreException {
        try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
            int id = rs.next() ? rs.getInt(1) : 0;
            if (id != DayDatabase.APPLICATION_ID) {
                throw new StoreException.Fatal(file + " is not a ticksink day database (application_id " + id + ")", null);
            }
        }
    }

    private static Connection connect(Path file, Duration busyTimeout) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new SQLException("no such day file: " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        // never create a file: maintenance works on existing days only
        config.resetOpenMode(org.sqlite.SQLiteOpenMode.CREATE);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static void closeQuietly(Connection c, Exception cause) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * A day file held by this process alone, its write-ahead log empty. The caller may copy or
     * delete the file while holding it. Not thread safe.
     */
    public static final class ExclusiveDay implements AutoCloseable {
        private final Path file;
        private final Connection connection;

        private ExclusiveDay(Path file, Connection connection) {
            this.file = file;
            this.connection = connection;
        }

        public Path file() {
            return file;
        }

        /** Releases the file. */
        @Override
        public void close() throws StoreException {
            try {
                try (Statement st = connection.createStatement()) {
                    st.execute("ROLLBACK");
                } finally {
                    connection.close();
                }
            } catch (SQLException e) {
                throw DayDatabase.classify("release " + file, e);
            }
        }
    }
}
