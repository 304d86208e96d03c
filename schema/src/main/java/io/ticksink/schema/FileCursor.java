package io.ticksink.schema;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * One query's rows in one day file. The statement selects {@link #COLUMNS} of a schema version 2
 * file, or {@link #COLUMNS_V1} of a version 1 file (no lineage), in that column order. Each row's
 * lineage is resolved to its stream's name through the file's {@code streams} table, read once
 * and re-read only when a row names a stream added since. Not thread safe.
 */
final class FileCursor implements AutoCloseable {

    static final String COLUMNS = "symbol, timestamp, bid, ask, spread, lp_source, broker_id, rowid, stream_id, position";
    /** A version 1 file has no lineage columns: its rows read as rows without lineage. */
    static final String COLUMNS_V1 = "symbol, timestamp, bid, ask, spread, lp_source, broker_id, rowid, NULL, NULL";
    /**
     * The prices only, for a {@link QuoteCursor} over one dir. No rowid: a merge compares rowids
     * only between rows of one file, which its one cursor per file already returns in order.
     */
    static final String PRICES = "timestamp, bid, ask, spread";
    /** The prices and lineage, for a {@link QuoteCursor} that drops copies. */
    static final String PRICES_LINEAGE = PRICES + ", stream_id, position";
    static final String PRICES_LINEAGE_V1 = PRICES + ", NULL, NULL";

    final Path file;
    final int fileIndex;
    /** Whether the statement selects {@link #PRICES} (perhaps with lineage) rather than {@link #COLUMNS}. */
    private final boolean pricesOnly;
    private final boolean lineage;
    private final Connection connection;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private final Map<Long, String> streams = new HashMap<>();
    /** The row as a tick; {@code null} when only prices are read. */
    Tick tick;
    long timestamp;
    double bid;
    double ask;
    double spread;
    /** The row's rowid; 0 when only prices are read. */
    long rowid;
    /** The name of the row's source stream, or {@code null} for a row without lineage. */
    String stream;
    /** The row's position in {@link #stream}; meaningless when that is {@code null}. */
    long position;

    FileCursor(Path file, int fileIndex, Connection connection, PreparedStatement statement) throws SQLException {
        this(file, fileIndex, connection, statement, false, true);
    }

    /**
     * @param pricesOnly the statement selects {@link #PRICES}, followed by the two lineage
     *     columns when {@code lineage} is set; otherwise it selects {@link #COLUMNS} or {@link #COLUMNS_V1}
     */
    FileCursor(Path file, int fileIndex, Connection connection, PreparedStatement statement, boolean pricesOnly,
            boolean lineage) throws SQLException {
        this.file = file;
        this.fileIndex = fileIndex;
        this.pricesOnly = pricesOnly;
        this.lineage = lineage;
        this.connection = connection;
        this.statement = statement;
        this.rows = statement.executeQuery();
    }

    /** Whether the file's {@code ticks} table has the lineage columns of schema version 2. */
    static boolean hasLineage(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            return DayDatabase.hasLineage(st, "main");
        }
    }

    boolean advance() throws SQLException {
        if (!rows.next()) {
            tick = null;
            stream = null;
            return false;
        }
        if (pricesOnly) {
            timestamp = rows.getLong(1);
            bid = rows.getDouble(2);
            ask = rows.getDouble(3);
            spread = rows.getDouble(4);
            if (lineage) {
                readLineage(5);
            }
            return true;
        }
        tick = new Tick(rows.getString(1), rows.getLong(2), rows.getDouble(3), rows.getDouble(4),
                rows.getDouble(5), rows.getString(6), rows.getString(7));
        timestamp = tick.timestampMillis();
        bid = tick.bid();
        ask = tick.ask();
        spread = tick.spread();
        rowid = rows.getLong(8);
        readLineage(9);
        return true;
    }

    private void readLineage(int column) throws SQLException {
        long streamId = rows.getLong(column);
        boolean noStream = rows.wasNull();
        position = rows.getLong(column + 1);
        stream = noStream || rows.wasNull() ? null : streamName(streamId);
    }

    private String streamName(long id) throws SQLException {
        String name = streams.get(id);
        if (name == null) {
            // streams are few: (re)load them all, on the first row and when a writer added one
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id, name FROM streams")) {
                while (rs.next()) {
                    streams.put(rs.getLong(1), rs.getString(2));
                }
            }
            name = streams.get(id);
        }
        return name;
    }

    @Override
    public void close() throws SQLException {
        try {
            rows.close();
        } finally {
            statement.close();
        }
    }
}
