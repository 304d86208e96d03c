package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
            DayDatabase.requireTicksink(file, st, "main");
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
     * an idle one (the SQLite file lock says so), and none can read or write it until the
     * returned handle is closed. The write-ahead log is folded in first, so the main file alone
     * holds the day. Fails as {@link StoreException.Retriable} when another connection holds the
     * file past {@code busyTimeout}.
     *
     * <p>SQLite's lock is a POSIX record lock, and POSIX drops every such lock a process holds on
     * a file as soon as the process closes <em>any</em> descriptor of that file. While the handle
     * is held, this process must therefore not open the file (or its {@code -wal}/{@code -shm})
     * by any other means: read it through {@link ExclusiveDay#copyTo(Path)} instead.
     */
    public static ExclusiveDay takeExclusive(Path file, Duration busyTimeout) throws StoreException {
        Connection c = null;
        try {
            c = connect(file, busyTimeout);
            try (Statement st = c.createStatement()) {
                // in WAL mode every open connection keeps a shared lock on the file, so the
                // exclusive lock taken by the first read below proves no one else has it open
                st.execute("PRAGMA locking_mode = EXCLUSIVE");
                DayDatabase.requireTicksink(file, st, "main");
                checkpoint(file, st);
                // in exclusive locking mode the lock outlives the transaction: the file stays
                // held, and VACUUM INTO (which refuses to run inside a transaction) can copy it
                st.execute("BEGIN EXCLUSIVE");
                st.execute("COMMIT");
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

    /**
     * Adds the ticks and stream positions of an archived copy of a day to the live day file, in
     * one transaction, exactly once. The day file is opened (and created if missing) the way the
     * consumer opens it, so a consumer writing the same day at the same moment takes turns with
     * this on SQLite's write lock: the file is never replaced, and nothing either side commits
     * is lost.
     *
     * <p>Each stream's position becomes the greater of the two, so a later redelivery of anything
     * in either is skipped. The merge records a stream {@code restoreKey} (say {@code
     * archive:sha256:<digest>}) in {@code stream_positions} in the same transaction; a file that
     * already has it is left alone, so a restore interrupted after its commit can run again.
     * Fails as {@link StoreException.Retriable} when a writer keeps the day file past
     * {@code busyTimeout}.
     *
     * @return how many ticks were added; {@code -1} when the file already held this archive
     */
    public static long restoreInto(Path dayFile, Path archived, String restoreKey, Duration busyTimeout) throws StoreException {
        Path wal = dayFile.resolveSibling(dayFile.getFileName() + "-wal");
        // a -wal without its database belongs to a deleted one: SQLite would replay it into a new file
        if (Files.exists(wal) && !Files.exists(dayFile)) {
            throw new StoreException.Fatal(wal + " exists without " + dayFile + "; move it away first", null);
        }
        // create the file, schema included, exactly as the consumer does (or check the one there)
        DayDatabase.open(dayFile, StoreOptions.defaults().withBusyTimeout(busyTimeout)).close();
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.resetOpenMode(org.sqlite.SQLiteOpenMode.CREATE);
        try (Connection c = config.createConnection("jdbc:sqlite:" + dayFile.toAbsolutePath());
             Statement st = c.createStatement()) {
            try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS archived")) {
                attach.setString(1, archived.toAbsolutePath().toString());
                attach.execute();
            }
            try (ResultSet rs = st.executeQuery("PRAGMA archived.application_id")) {
                if (!rs.next() || rs.getInt(1) != DayDatabase.APPLICATION_ID) {
                    throw new StoreException.Fatal(archived + " is not a ticksink day database", null);
                }
            }
            // on any failure below, closing the connection rolls the transaction back
            c.setAutoCommit(false); // BEGIN IMMEDIATE: the write lock, waiting up to the busy timeout
            DayDatabase.requireTicksink(dayFile, st, "main");
            try (PreparedStatement seen = c.prepareStatement("SELECT 1 FROM main.stream_positions WHERE stream = ?")) {
                seen.setString(1, restoreKey);
                try (ResultSet rs = seen.executeQuery()) {
                    if (rs.next()) {
                        return -1; // closing the connection rolls the empty transaction back
                    }
                }
            }
            long added;
            if (DayDatabase.hasLineage(st, "archived")) {
                // stream ids are numbered per file: the archive's are mapped to the live file's by name
                st.executeUpdate("INSERT INTO main.streams (name) SELECT name FROM archived.streams WHERE true "
                        + "ON CONFLICT (name) DO NOTHING");
                added = st.executeUpdate("INSERT INTO main.ticks (symbol, timestamp, bid, ask, spread, lp_source, broker_id, "
                        + "stream_id, position) SELECT t.symbol, t.timestamp, t.bid, t.ask, t.spread, t.lp_source, t.broker_id, "
                        + "m.id, t.position FROM archived.ticks t LEFT JOIN archived.streams s ON s.id = t.stream_id "
                        + "LEFT JOIN main.streams m ON m.name = s.name ORDER BY t.rowid");
            } else { // an archive of a version 1 file: its rows have no lineage
                added = st.executeUpdate("INSERT INTO main.ticks (symbol, timestamp, bid, ask, spread, lp_source, broker_id) "
                        + "SELECT symbol, timestamp, bid, ask, spread, lp_source, broker_id FROM archived.ticks ORDER BY rowid");
            }
            // WHERE true: without it SQLite would read ON CONFLICT as a join constraint
            st.executeUpdate("INSERT INTO main.stream_positions (stream, next_position, fingerprint, updated_at) "
                    + "SELECT stream, next_position, fingerprint, updated_at FROM archived.stream_positions WHERE true "
                    + "ON CONFLICT (stream) DO UPDATE SET next_position = excluded.next_position, "
                    + "fingerprint = excluded.fingerprint, updated_at = excluded.updated_at "
                    + "WHERE excluded.next_position > stream_positions.next_position");
            try (PreparedStatement mark = c.prepareStatement(
                    "INSERT INTO main.stream_positions (stream, next_position, fingerprint, updated_at) VALUES (?, ?, NULL, ?)")) {
                mark.setString(1, restoreKey);
                mark.setLong(2, added);
                mark.setLong(3, System.currentTimeMillis());
                mark.executeUpdate();
            }
            c.setAutoCommit(true); // COMMIT
            return added;
        } catch (SQLException e) {
            throw DayDatabase.classify("restore " + archived + " into " + dayFile, e);
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
     * A day file held by this process alone, its write-ahead log empty: copy it with
     * {@link #copyTo(Path)} and delete it with {@link #delete(Path)}, both through the one
     * connection that holds the lock. Not thread safe.
     */
    public static final class ExclusiveDay implements AutoCloseable {
        private final Path file;
        private final Connection connection;
        private boolean deleted;

        private ExclusiveDay(Path file, Connection connection) {
            this.file = file;
            this.connection = connection;
        }

        public Path file() {
            return file;
        }

        /**
         * Writes a consistent copy of the day to {@code copy}, which must not exist, with
         * {@code VACUUM INTO} on the connection that holds the lock: the file is read by SQLite
         * alone, and no other descriptor of it is opened (and closed) by this process, so the lock
         * is kept throughout.
         */
        public void copyTo(Path copy) throws StoreException {
            try (PreparedStatement ps = connection.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, copy.toAbsolutePath().toString());
                ps.execute();
            } catch (SQLException e) {
                throw DayDatabase.classify("copy " + file + " to " + copy, e);
            }
        }

        /**
         * Deletes the held file with its {@code -wal}, {@code -shm} and {@code -journal}, still
         * holding the lock, once {@code copy} (made by {@link #copyTo(Path)}) is proven to hold
         * the same ticks and stream positions as the file. Fails as
         * {@link StoreException.Fatal} and deletes nothing when it does not.
         *
         * <p>A writer may have opened the file while it was held and be waiting for the lock;
         * once it gets the lock it must not write to the deleted file, which no one reads again.
         * So the file is first switched from WAL to a rollback journal: to write to it, such a
         * writer must open a rollback journal, and SQLite refuses that for a file whose name no
         * longer leads to it ({@code SQLITE_READONLY_DBMOVED}, a retriable error for the
         * consumer, whose next attempt creates a new day file). In WAL mode SQLite documents no
         * such check.
         */
        public void delete(Path copy) throws StoreException {
            try (Statement st = connection.createStatement()) {
                if (copy != null) {
                    requireSameContent(st, copy);
                }
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = DELETE")) {
                    String mode = rs.next() ? rs.getString(1) : "";
                    if (!"delete".equalsIgnoreCase(mode)) {
                        throw new StoreException.Retriable("cannot take " + file + " out of WAL mode (still " + mode + ")", null);
                    }
                }
                // companions first: while the main file exists and is held, no one else uses them
                for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                    Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
                }
                Files.delete(file);
                deleted = true;
            } catch (SQLException e) {
                throw DayDatabase.classify("delete " + file, e);
            } catch (java.io.IOException e) {
                throw new StoreException.Retriable("cannot delete " + file + ": " + e, e);
            }
        }

        private void requireSameContent(Statement st, Path copy) throws SQLException, StoreException {
            try (PreparedStatement attach = connection.prepareStatement("ATTACH DATABASE ? AS copy")) {
                attach.setString(1, copy.toAbsolutePath().toString());
                attach.execute();
            }
            try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM main.ticks) = (SELECT count(*) FROM copy.ticks) "
                    + "AND NOT EXISTS (SELECT * FROM main.stream_positions EXCEPT SELECT * FROM copy.stream_positions) "
                    + "AND NOT EXISTS (SELECT * FROM copy.stream_positions EXCEPT SELECT * FROM main.stream_positions)")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new StoreException.Fatal(file + " changed after it was copied to " + copy + "; it was not deleted", null);
                }
            } finally {
                st.execute("DETACH DATABASE copy");
            }
        }

        /** Releases the file (or, once deleted, what is left of it). */
        @Override
        public void close() throws StoreException {
            try {
                connection.close();
            } catch (SQLException e) {
                if (!deleted) {
                    throw DayDatabase.classify("release " + file, e);
                }
            }
        }
    }
}
