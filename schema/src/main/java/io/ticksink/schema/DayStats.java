package io.ticksink.schema;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Aggregates over one day file, for checks such as the migrator's {@code --verify}. Each call
 * opens its own read-only connection, so it may run beside a writer. Thread safe.
 */
public final class DayStats {

    private DayStats() {
    }

    /**
     * The number of ticks per symbol in the file, sorted by symbol. A file whose creator was killed
     * while creating it holds no ticks: its schema was never committed, or its first transaction
     * left a rollback journal that this read-only connection cannot roll back (the next writer to
     * open the file does).
     */
    public static Map<String, Long> countsBySymbol(Path file) throws StoreException {
        try (Connection c = DayReader.connect(file); Statement st = c.createStatement()) {
            Map<String, Long> counts = new TreeMap<>();
            try (ResultSet tables = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'ticks'")) {
                if (!tables.next() || tables.getInt(1) == 0) {
                    return counts;
                }
            }
            // the (symbol, timestamp) index covers this: no table scan
            try (ResultSet rs = st.executeQuery("SELECT symbol, count(*) FROM ticks GROUP BY symbol")) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            if (e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_READONLY_ROLLBACK) {
                return new TreeMap<>(); // day files are in WAL mode from their first commit on
            }
            throw DayDatabase.classify("count ticks per symbol in " + file, e);
        }
    }
}
