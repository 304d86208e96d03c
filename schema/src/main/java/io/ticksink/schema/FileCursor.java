package io.ticksink.schema;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One query's rows in one day file. The statement selects {@code symbol, timestamp, bid, ask,
 * spread, lp_source, broker_id, rowid} in that column order. Not thread safe.
 */
final class FileCursor implements AutoCloseable {

    static final String COLUMNS = "symbol, timestamp, bid, ask, spread, lp_source, broker_id, rowid";

    final Path file;
    final int fileIndex;
    private final PreparedStatement statement;
    private final ResultSet rows;
    Tick tick;
    long rowid;

    FileCursor(Path file, int fileIndex, PreparedStatement statement) throws SQLException {
        this.file = file;
        this.fileIndex = fileIndex;
        this.statement = statement;
        this.rows = statement.executeQuery();
    }

    boolean advance() throws SQLException {
        if (!rows.next()) {
            tick = null;
            return false;
        }
        tick = new Tick(rows.getString(1), rows.getLong(2), rows.getDouble(3), rows.getDouble(4),
                rows.getDouble(5), rows.getString(6), rows.getString(7));
        rowid = rows.getLong(8);
        return true;
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
