package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * The lineage a day file holds, read for a completeness audit: which positions of which source
 * streams its rows came from. Files are opened read-only and may be written meanwhile; each
 * statement reads the last committed state. Rows without lineage (schema version 1) are not seen.
 * Thread safe (no shared state); each {@link Cursor} is used by one thread.
 */
public final class StoredPositions {

    /**
     * The stored positions of one stream in {@code [from, to)}, ascending. In a consumer's file
     * (no lineage index) SQLite scans the table and sorts the stream's positions in a temporary
     * B-tree that spills to a temporary file beyond {@link #SORT_CACHE_KIB}; a merged file's
     * {@code idx_ticks_lineage} is walked in order instead.
     */
    static final String POSITIONS = "SELECT position FROM ticks WHERE stream_id = ? AND position >= ? AND position < ? "
            + "ORDER BY position";
    /** Every row's lineage, unordered: one pass over the table, aggregated by the caller per stream. */
    static final String LINEAGE = "SELECT stream_id, position FROM ticks WHERE stream_id IS NOT NULL";
    /** The page cache of one open cursor's connection, which also bounds its sort's memory before it spills. */
    static final int SORT_CACHE_KIB = 1024;

    private StoredPositions() {
    }

    /**
     * One stream's rows in a file.
     *
     * @param fingerprint the stream's fingerprint in {@code stream_positions} (a Kafka partition's
     *     incarnation), or {@code null}
     * @param nextPosition the file's next position of the stream, or -1 when it has none
     * @param min the least stored position, or -1 when {@link #rows} is 0
     * @param max the greatest stored position, or -1 when {@link #rows} is 0
     */
    public record Stream(String name, String fingerprint, long nextPosition, long min, long max, long rows) {
    }

    /**
     * The streams of a file with their positions in {@code stream_positions}, without reading a
     * row of {@code ticks}: {@link Stream#rows} is 0 and min and max are -1. Empty for a version 1
     * file.
     */
    public static Map<String, Stream> declared(Path file) throws StoreException {
        try (Connection c = connect(file, 0)) {
            Map<String, Stream> streams = declared(c);
            return streams == null ? Map.of() : streams;
        } catch (SQLException e) {
            throw DayDatabase.classify("read the streams of " + file, e);
        }
    }

    /** Whether a day file has the lineage of schema version 2. */
    public static boolean hasLineage(Path file) throws StoreException {
        try (Connection c = connect(file, 0); Statement st = c.createStatement()) {
            return DayDatabase.hasLineage(st, "main");
        } catch (SQLException e) {
            throw DayDatabase.classify("read the schema of " + file, e);
        }
    }

    /**
     * The streams of a file with the least and greatest position and the number of their rows,
     * read in one pass over the rows with the memory of one entry per stream. A stream that has
     * rows but no {@code stream_positions} entry is included with a next position of -1. Empty for
     * a version 1 file.
     */
    public static Map<String, Stream> scan(Path file) throws StoreException {
        try (Connection c = connect(file, 0)) {
            Map<String, Stream> declared = declared(c);
            if (declared == null) {
                return Map.of();
            }
            Map<Long, long[]> byId = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(LINEAGE)) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    long position = rs.getLong(2);
                    if (rs.wasNull()) {
                        continue;
                    }
                    long[] agg = byId.get(id);
                    if (agg == null) {
                        byId.put(id, new long[] {position, position, 1});
                    } else {
                        agg[0] = Math.min(agg[0], position);
                        agg[1] = Math.max(agg[1], position);
                        agg[2]++;
                    }
                }
            }
            Map<Long, String> names = streamNames(c);
            Map<String, Stream> streams = new LinkedHashMap<>(declared);
            for (Map.Entry<Long, long[]> e : byId.entrySet()) {
                String name = names.get(e.getKey());
                if (name == null) {
                    continue; // a row naming no stream of the file: no lineage to check it by
                }
                Stream d = declared.get(name);
                long[] agg = e.getValue();
                streams.put(name, new Stream(name, d == null ? null : d.fingerprint(), d == null ? -1 : d.nextPosition(),
                        agg[0], agg[1], agg[2]));
            }
            return streams;
        } catch (SQLException e) {
            throw DayDatabase.classify("read the lineage of " + file, e);
        }
    }

    /** The stream_positions of a version 2 file, or {@code null} for a version 1 file. */
    private static Map<String, Stream> declared(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (!DayDatabase.hasLineage(st, "main")) {
                return null;
            }
            Map<String, Stream> streams = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT stream, next_position, fingerprint FROM stream_positions")) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    streams.put(name, new Stream(name, rs.getString(3), rs.getLong(2), -1, -1, 0));
                }
            }
            return streams;
        }
    }

    private static Map<Long, String> streamNames(Connection c) throws SQLException {
        Map<Long, String> names = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM streams")) {
            while (rs.next()) {
                names.put(rs.getLong(1), rs.getString(2));
            }
        }
        return names;
    }

    /**
     * Opens a cursor over the positions of {@code stream} in {@code [from, to)}, ascending, with
     * one position per row (a position stored twice in the file comes twice). The cursor holds
     * its own read-only connection until closed; the file is read as committed when the first
     * row is fetched.
     */
    public static Cursor positions(Path file, String stream, long from, long to) throws StoreException {
        Connection c = null;
        try {
            c = connect(file, SORT_CACHE_KIB);
            long id = -1;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM streams WHERE name = ?")) {
                ps.setString(1, stream);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        id = rs.getLong(1);
                    }
                }
            }
            PreparedStatement ps = c.prepareStatement(POSITIONS);
            ps.setLong(1, id);
            ps.setLong(2, from);
            ps.setLong(3, to);
            return new Cursor(file, c, ps.executeQuery());
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw DayDatabase.classify("read the positions of " + stream + " in " + file, e);
        }
    }

    private static Connection connect(Path file, int cacheKib) throws SQLException {
        if (!Files.exists(file)) {
            throw new SQLException("no such day file: " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5_000);
        if (cacheKib > 0) {
            config.setCacheSize(-cacheKib);
        }
        // sorts spill to temporary files instead of growing in memory (the driver's build defaults to files already)
        config.setTempStore(SQLiteConfig.TempStore.FILE);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /** Stored positions of one stream in one file, ascending. Not thread safe. */
    public static final class Cursor implements AutoCloseable {
        private final Path file;
        private final Connection connection;
        private final ResultSet rows;
        private long position = -1;

        private Cursor(Path file, Connection connection, ResultSet rows) {
            this.file = file;
            this.connection = connection;
            this.rows = rows;
        }

        /** Steps to the next position; false at the end. */
        public boolean next() throws StoreException {
            try {
                if (rows.next()) {
                    position = rows.getLong(1);
                    return true;
                }
                return false;
            } catch (SQLException e) {
                throw DayDatabase.classify("read the positions in " + file, e);
            }
        }

        public long position() {
            return position;
        }

        public Path file() {
            return file;
        }

        @Override
        public void close() throws StoreException {
            try {
                connection.close(); // closes the statement and its rows
            } catch (SQLException e) {
                throw DayDatabase.classify("close " + file, e);
            }
        }
    }
}
