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
 * A scratch SQLite file of entries (stream, position, location, digest) that arrive in any order and are
 * read back in position order per stream, with the memory of a page cache however many there are:
 * for example the source coordinates of the records in a dead-letter topic, which come in the
 * topic's order, not the source's. The file is this instance's alone: created empty, not durable
 * (a crash loses it, and nothing needs it then), and deleted on {@link #close()}.
 *
 * <p>Usage: {@link #add} every entry, {@link #seal()}, then {@link #entries} per stream. Not thread
 * safe.
 */
public final class PositionIndex implements AutoCloseable {

    private static final int BATCH = 10_000;
    static final String ENTRIES = "SELECT position, location, digest FROM entries WHERE stream = ? AND position >= ? AND position < ? "
            + "ORDER BY position";

    private final Path file;
    private final Connection connection;
    private final PreparedStatement insert;
    private int pending;
    private long size;
    private boolean sealed;

    private PositionIndex(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE entries (stream TEXT NOT NULL, position INTEGER NOT NULL, location TEXT NOT NULL, "
                    + "digest INTEGER NOT NULL)");
        }
        connection.setAutoCommit(false);
        this.insert = connection.prepareStatement("INSERT INTO entries (stream, position, location, digest) VALUES (?, ?, ?, ?)");
    }

    /** Creates the index in a new file in {@code dir}. */
    public static PositionIndex create(Path dir) throws StoreException {
        Path file;
        try {
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "ticksink-positions-", ".db");
            Files.delete(file); // SQLite creates it; an empty file is a valid empty database anyway
        } catch (IOException e) {
            throw new StoreException.Retriable("cannot create a scratch file in " + dir + ": " + e, e);
        }
        SQLiteConfig config = new SQLiteConfig();
        // scratch data: nothing to protect against a crash, so no journal and no fsync
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        config.setTempStore(SQLiteConfig.TempStore.FILE);
        config.setCacheSize(-4096);
        try {
            return new PositionIndex(file, config.createConnection("jdbc:sqlite:" + file.toAbsolutePath()));
        } catch (SQLException e) {
            throw DayDatabase.classify("create scratch file " + file, e);
        }
    }

    /**
     * Adds an entry; {@code location} says where the entry was found, {@code digest} is the
     * caller's (a hash of the entry's content, say).
     */
    public void add(String stream, long position, String location, long digest) throws StoreException {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        try {
            insert.setString(1, stream);
            insert.setLong(2, position);
            insert.setString(3, location);
            insert.setLong(4, digest);
            insert.addBatch();
            size++;
            if (++pending == BATCH) {
                insert.executeBatch();
                pending = 0;
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("add to scratch file " + file, e);
        }
    }

    /** Ends the adding and indexes the entries for {@link #entries}. */
    public void seal() throws StoreException {
        try {
            if (pending > 0) {
                insert.executeBatch();
                pending = 0;
            }
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE INDEX entries_by_position ON entries (stream, position)");
            }
            connection.commit();
            connection.setAutoCommit(true);
            sealed = true;
        } catch (SQLException e) {
            throw DayDatabase.classify("index scratch file " + file, e);
        }
    }

    /** How many entries were added. */
    public long size() {
        return size;
    }

    /** The entries of {@code stream} with {@code from <= position < to}, by position. Close it before the next one. */
    public Entries entries(String stream, long from, long to) throws StoreException {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
        try {
            PreparedStatement ps = connection.prepareStatement(ENTRIES);
            ps.setString(1, stream);
            ps.setLong(2, from);
            ps.setLong(3, to);
            return new Entries(ps, ps.executeQuery());
        } catch (SQLException e) {
            throw DayDatabase.classify("read scratch file " + file, e);
        }
    }

    /** Entries of one stream, by position. */
    public final class Entries implements AutoCloseable {
        private final PreparedStatement statement;
        private final ResultSet rows;
        private long position;
        private String location;
        private long digest;

        private Entries(PreparedStatement statement, ResultSet rows) {
            this.statement = statement;
            this.rows = rows;
        }

        public boolean next() throws StoreException {
            try {
                if (rows.next()) {
                    position = rows.getLong(1);
                    location = rows.getString(2);
                    digest = rows.getLong(3);
                    return true;
                }
                return false;
            } catch (SQLException e) {
                throw DayDatabase.classify("read scratch file " + file, e);
            }
        }

        public long position() {
            return position;
        }

        public String location() {
            return location;
        }

        public long digest() {
            return digest;
        }

        @Override
        public void close() throws StoreException {
            try {
                statement.close();
            } catch (SQLException e) {
                throw DayDatabase.classify("read scratch file " + file, e);
            }
        }
    }

    /** Closes and deletes the file. */
    @Override
    public void close() throws StoreException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw DayDatabase.classify("close scratch file " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover scratch file in the temporary dir; nothing reads it
            }
        }
    }
}
