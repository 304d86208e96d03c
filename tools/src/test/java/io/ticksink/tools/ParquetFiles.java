package io.ticksink.tools;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads exported Parquet files with DuckDB (its own Parquet reader, independent of parquet-java)
 * and day files with SQLite, as rows of strings, so a test compares the two exactly.
 */
final class ParquetFiles {

    /** The exported columns, with the timestamp as epoch milliseconds. */
    static final String DUCKDB_ROWS = "SELECT symbol, epoch_ms(timestamp), bid, ask, spread, lp_source, broker_id FROM read_parquet(?)";
    static final String SQLITE_ROWS = "SELECT symbol, timestamp, bid, ask, spread, lp_source, broker_id FROM ticks ORDER BY symbol, timestamp, rowid";

    private ParquetFiles() {
    }

    /** A DuckDB query over one file (bound as the first parameter), its rows in the file's order. */
    static List<List<Object>> duckdb(String sql, Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement ps = c.prepareStatement(sql)) {
            // one thread: rows come back in the file's order
            try (var st = c.createStatement()) {
                st.execute("SET threads = 1");
            }
            ps.setString(1, file.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs);
            }
        }
    }

    static List<List<Object>> sqlite(String sql, Path dayFile) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dayFile);
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            return rows(rs);
        }
    }

    private static List<List<Object>> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>(meta.getColumnCount());
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                Object value = rs.getObject(i);
                // one spelling for both drivers: integers as long, reals as double, text as string
                if (value instanceof Number n && !(value instanceof Double) && !(value instanceof Float)) {
                    value = new java.math.BigDecimal(n.toString()).longValueExact();
                } else if (value instanceof Float f) {
                    value = f.doubleValue();
                } else if (value != null && !(value instanceof Double) && !(value instanceof String)) {
                    value = value.toString();
                }
                row.add(value);
            }
            rows.add(row);
        }
        return rows;
    }

    /** Writes ticks to the main file of their day as records {@code first, first+1, ...} of {@code stream}. */
    static void writeStream(Path dataDir, String stream, long first, Tick... ticks) throws StoreException {
        for (int i = 0; i < ticks.length; i++) {
            Tick t = ticks[i];
            try (DayDatabase db = DayDatabase.open(DayFiles.path(dataDir, DayFiles.day(t.timestampMillis())), DayFixtures.OPTIONS)) {
                StreamChunk chunk = new StreamChunk(stream, null, 1);
                chunk.add(first + i, t);
                db.write(List.of(chunk));
            }
        }
    }
}
