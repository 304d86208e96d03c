package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Reads a whole day file: for checks, samples and tests. Each call opens its own read-only
 * connection, so it may run beside a writer. Thread safe.
 */
public final class DayReader {

    private DayReader() {
    }

    /** Every tick of the file, in (timestamp, insertion) order. */
    public static List<Tick> readAll(Path file) throws StoreException {
        return read(file, "SELECT symbol, timestamp, bid, ask, spread, lp_source, broker_id FROM ticks "
                + "ORDER BY timestamp, rowid", Integer.MAX_VALUE);
    }

    /** Up to {@code limit} ticks, in insertion order. */
    public static List<Tick> sample(Path file, int limit) throws StoreException {
        return read(file, "SELECT symbol, timestamp, bid, ask, spread, lp_source, broker_id FROM ticks "
                + "ORDER BY rowid LIMIT " + limit, limit);
    }

    private static List<Tick> read(Path file, String sql, int limit) throws StoreException {
        try (Connection c = connect(file); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<Tick> ticks = new ArrayList<>();
            while (rs.next() && ticks.size() < limit) {
                ticks.add(new Tick(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getDouble(5), rs.getString(6), rs.getString(7)));
            }
            return ticks;
        } catch (SQLException e) {
            throw DayDatabase.classify("read " + file, e);
        }
    }

    public static long count(Path file) throws StoreException {
        try (Connection c = connect(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw DayDatabase.classify("count " + file, e);
        }
    }

    /** The next stored position of every stream the file has seen. */
    public static Map<String, Long> positions(Path file) throws StoreException {
        try (Connection c = connect(file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream, next_position FROM stream_positions ORDER BY stream")) {
            Map<String, Long> positions = new LinkedHashMap<>();
            while (rs.next()) {
                positions.put(rs.getString(1), rs.getLong(2));
            }
            return positions;
        } catch (SQLException e) {
            throw DayDatabase.classify("read stream positions of " + file, e);
        }
    }

    static Connection connect(Path file) throws SQLException {
        if (!Files.exists(file)) {
            throw new SQLException("no such day file: " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5_000);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }
}
