package io.ticksink.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * One open day database: a single SQLite connection in WAL mode with the schema applied.
 *
 * <p>Between writes the connection holds no transaction and no lock, so other processes (more
 * consumers, the migrator, a reader) can write and checkpoint the same file while it is open.
 *
 * <p>Not thread safe: {@link TickStore} serialises access to each instance. After a failed write
 * (including {@link StoreException.SourceChanged}) the instance is closed and must be opened again.
 */
public final class DayDatabase implements AutoCloseable {

    /** {@code PRAGMA application_id} of ticksink day files: "TICK". */
    public static final int APPLICATION_ID = 0x5449434B;
    /** The schema version this build writes, kept in {@code PRAGMA user_version}. */
    public static final int SCHEMA_VERSION = 2;
    /** Version 1 to 2: rows carry their lineage (stream id and position); the streams they name. */
    private static final List<String> UPGRADE_TO_2 = List.of(
            "ALTER TABLE ticks ADD COLUMN stream_id INTEGER",
            "ALTER TABLE ticks ADD COLUMN position INTEGER",
            "CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");

    /** Rows bound per native batch call: the driver binds and steps a batch's statements in one call. */
    private static final int INSERT_BATCH = 1024;
    /** Rows per multi-row statement: one statement start, cursor open and seek per this many rows. */
    static final int ROWS_PER_STATEMENT = 50;
    private static final int COLUMNS = 9;
    private static final String INSERT_TICK = insertSql(1);
    private static final String INSERT_TICKS = insertSql(ROWS_PER_STATEMENT);
    private static final String SELECT_STREAM = "SELECT id FROM streams WHERE name = ?";
    private static final String INSERT_STREAM = "INSERT INTO streams (name) VALUES (?)";
    private static final String SELECT_POSITION =
            "SELECT next_position, fingerprint FROM stream_positions WHERE stream = ?";
    private static final String UPSERT_POSITION =
            "INSERT INTO stream_positions (stream, next_position, fingerprint, updated_at) VALUES (?, ?, ?, ?) "
                    + "ON CONFLICT (stream) DO UPDATE SET next_position = max(next_position, excluded.next_position), "
                    + "fingerprint = coalesce(excluded.fingerprint, fingerprint), updated_at = excluded.updated_at";
    /** A new incarnation of a Kafka stream: its position here starts afresh, whatever the old one's was. */
    private static final String RESTART_POSITION =
            "UPDATE stream_positions SET next_position = ?, fingerprint = ?, updated_at = ? WHERE stream = ?";

    private final Path file;
    private final Connection connection;
    private final PreparedStatement insertTick;
    private final PreparedStatement insertTicks;
    private final PreparedStatement selectPosition;
    private final PreparedStatement upsertPosition;
    private final PreparedStatement restartPosition;
    private final PreparedStatement selectStream;
    private final PreparedStatement insertStream;
    /** Stream ids of this file, learned or assigned; assigned ids of a failed write die with the closed instance. */
    private final Map<String, Long> streamIds = new java.util.HashMap<>();
    private boolean closed;
    private volatile long lastUsedNanos = System.nanoTime();

    private DayDatabase(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.insertTick = connection.prepareStatement(INSERT_TICK);
        this.insertTicks = connection.prepareStatement(INSERT_TICKS);
        this.selectPosition = connection.prepareStatement(SELECT_POSITION);
        this.upsertPosition = connection.prepareStatement(UPSERT_POSITION);
        this.restartPosition = connection.prepareStatement(RESTART_POSITION);
        this.selectStream = connection.prepareStatement(SELECT_STREAM);
        this.insertStream = connection.prepareStatement(INSERT_STREAM);
    }

    /** Opens or creates a day file, applying the PRAGMAs and the schema. */
    public static DayDatabase open(Path file, StoreOptions options) throws StoreException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new StoreException.Retriable("cannot create the directory of " + file + ": " + e, e);
        }
        Connection connection = null;
        try {
            connection = config(options).createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = connection.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = " + options.walAutocheckpointPages());
            }
            applySchema(file, connection);
            return new DayDatabase(file, connection);
        } catch (SQLException e) {
            closeQuietly(connection, e);
            throw classify("open " + file, e);
        } catch (StoreException e) {
            closeQuietly(connection, e);
            throw e;
        }
    }

    static SQLiteConfig config(StoreOptions options) {
        SQLiteConfig config = new SQLiteConfig();
        // journal_mode and synchronous are applied by the driver before any transaction starts
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(options.synchronous().name()));
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, options.busyTimeout().toMillis()));
        // BEGIN IMMEDIATE: take the write lock up front, so two writers wait on the busy
        // timeout instead of failing with a lock upgrade deadlock. The connection stays in
        // auto-commit mode between transactions: the driver's commit() and rollback() begin the
        // next transaction at once, and an idle BEGIN IMMEDIATE would hold the write lock
        // (blocking every other writer of the file) until the next write
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.setCacheSize(-options.cacheSizeKib());
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // inserts never need the rowid back; fetching it costs a query per row
        config.setGetGeneratedKeys(false);
        // SQLite's "multi-thread" mode: no per-connection mutex taken and released on every bind,
        // step and reset. The driver already holds the connection's monitor around each native
        // call, and a day database is used by one thread at a time
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        return config;
    }

    /** Checks and creates the schema in one write transaction; a failure leaves it to the caller's close to roll back. */
    private static void applySchema(Path file, Connection connection) throws SQLException, StoreException {
        connection.setAutoCommit(false); // BEGIN IMMEDIATE: two processes creating one file take turns
        try (Statement st = connection.createStatement()) {
            int applicationId = pragmaInt(st, "application_id");
            int version = pragmaInt(st, "user_version");
            if (applicationId != APPLICATION_ID && applicationId != 0) {
                throw new StoreException.Fatal(file + " is not a ticksink day database (application_id "
                        + applicationId + ")", null);
            }
            if (version > SCHEMA_VERSION) {
                throw new StoreException.Fatal(file + " has schema version " + version
                        + ", written by a newer ticksink; this build knows version " + SCHEMA_VERSION, null);
            }
            if (version == 0) {
                if (countTables(st) > 0) {
                    throw new StoreException.Fatal(file + " holds tables but is not a ticksink day database", null);
                }
                for (String ddl : schemaStatements()) {
                    st.execute(ddl);
                }
                st.execute("PRAGMA application_id = " + APPLICATION_ID);
                st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            if (version == 1) {
                // in place, without rewriting a row: version 1 rows keep a NULL lineage
                for (String ddl : UPGRADE_TO_2) {
                    st.execute(ddl);
                }
                st.execute("PRAGMA user_version = 2");
            }
        }
        connection.setAutoCommit(true); // COMMIT, and no new transaction until the next write
    }

    /**
     * Whether the day database known to {@code st}'s connection as {@code schema} ({@code main}, or
     * an attached one) has the lineage of schema version 2: the two columns and the table come together.
     */
    static boolean hasLineage(Statement st, String schema) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema
                + ".sqlite_master WHERE type = 'table' AND name = 'streams'")) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    /** Fails unless the database known to {@code st}'s connection as {@code schema} is a ticksink day database. */
    static void requireTicksink(Path file, Statement st, String schema) throws SQLException, StoreException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + schema + ".application_id")) {
            int id = rs.next() ? rs.getInt(1) : 0;
            if (id != APPLICATION_ID) {
                throw new StoreException.Fatal(file + " is not a ticksink day database (application_id " + id + ")", null);
            }
        }
    }

    private static int pragmaInt(Statement st, String pragma) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static int countTables(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table'")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** The statements of {@code ticks.sql}, the schema of a day database. */
    public static List<String> schemaStatements() {
        try (InputStream in = DayDatabase.class.getResourceAsStream("ticks.sql")) {
            if (in == null) {
                throw new IllegalStateException("ticks.sql is missing from the class path");
            }
            StringBuilder sql = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int comment = line.indexOf("--");
                sql.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
            }
            List<String> statements = new ArrayList<>();
            for (String statement : sql.toString().split(";")) {
                if (!statement.isBlank()) {
                    statements.add(statement.strip());
                }
            }
            return statements;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read ticks.sql", e);
        }
    }

    /**
     * Stores the chunks in one transaction, with the next position of each stream. Ticks at
     * positions the file already holds for their stream are skipped, so writing a chunk again
     * (after a crash, a redelivery, a re-run) stores nothing twice. A Kafka chunk of another
     * incarnation than the one stored (its fingerprint differs) starts its stream afresh: all its
     * ticks are stored and the position replaced; a stored fingerprint of {@code null} (files of
     * earlier versions) is taken to be the chunk's. On any failure nothing was stored and this
     * instance is closed.
     */
    public WriteResult write(Collection<StreamChunk> chunks) throws StoreException {
        lastUsedNanos = System.nanoTime();
        int stored = 0;
        int skipped = 0;
        List<String> restarted = null;
        boolean committed = false;
        try {
            connection.setAutoCommit(false); // BEGIN IMMEDIATE, waiting up to the busy timeout
            long now = System.currentTimeMillis();
            for (StreamChunk chunk : chunks) {
                long storedNext = -1;
                String storedFingerprint = null;
                selectPosition.setString(1, chunk.stream());
                try (ResultSet rs = selectPosition.executeQuery()) {
                    if (rs.next()) {
                        storedNext = rs.getLong(1);
                        storedFingerprint = rs.getString(2);
                    }
                }
                boolean restart = false;
                boolean otherFingerprint = storedFingerprint != null && !storedFingerprint.equals(chunk.fingerprint());
                if (storedNext >= 0 && chunk.fingerprint() != null
                        && (otherFingerprint || storedFingerprint == null && StreamChunk.isMarkedIncarnation(chunk))) {
                    if (!chunk.isKafka()) {
                        throw new StoreException.SourceChanged(chunk.stream(), storedFingerprint, chunk.fingerprint());
                    }
                    // another incarnation of the partition: none of its records is here yet
                    restart = true;
                    storedNext = -1;
                    if (restarted == null) {
                        restarted = new ArrayList<>(1);
                    }
                    restarted.add(chunk.stream());
                }
                int[] rows = rowsToStore(chunk, storedNext);
                skipped += chunk.size() - rows.length;
                if (rows.length > 0) {
                    insert(chunk, rows, streamId(chunk.stream()));
                    stored += rows.length;
                }
                if (restart) {
                    restartPosition.setLong(1, chunk.nextPosition());
                    restartPosition.setString(2, chunk.fingerprint());
                    restartPosition.setLong(3, now);
                    restartPosition.setString(4, chunk.stream());
                    restartPosition.executeUpdate();
                } else if (chunk.nextPosition() > storedNext
                        || (storedNext >= 0 && storedFingerprint == null && chunk.fingerprint() != null)) {
                    // a stored NULL takes the chunk's incarnation also when the chunk was all
                    // redelivery (its position max()-ed, so unchanged): from then on the file tells
                    // the next incarnation apart, instead of skipping it up to the old position
                    upsertPosition.setString(1, chunk.stream());
                    upsertPosition.setLong(2, chunk.nextPosition());
                    upsertPosition.setString(3, chunk.fingerprint());
                    upsertPosition.setLong(4, now);
                    upsertPosition.executeUpdate();
                }
            }
            connection.setAutoCommit(true); // COMMIT, and no new transaction until the next write
            committed = true;
            return new WriteResult(stored, skipped, restarted == null ? List.of() : restarted);
        } catch (SQLException e) {
            throw classify("write " + stored + " ticks to " + file, e);
        } finally {
            if (!committed) {
                // closing rolls the open transaction back and releases the write lock; the
                // driver's rollback() would begin (and wait for) the next transaction instead
                close();
            }
        }
    }

    /** The file's id of a stream, assigned within the write's transaction when the file has none yet. */
    private long streamId(String stream) throws SQLException {
        Long known = streamIds.get(stream);
        if (known != null) {
            return known;
        }
        selectStream.setString(1, stream);
        long id = -1;
        try (ResultSet rs = selectStream.executeQuery()) {
            if (rs.next()) {
                id = rs.getLong(1);
            }
        }
        if (id < 0) {
            insertStream.setString(1, stream);
            insertStream.executeUpdate();
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        streamIds.put(stream, id);
        return id;
    }

    private static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ticks (symbol, timestamp, bid, ask, spread, lp_source, "
                + "broker_id, stream_id, position) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        return sql.toString();
    }

    /**
     * The indices of the chunk's ticks at or above {@code storedNext}, grouped by symbol (symbols in
     * order of first appearance, each symbol's ticks in chunk order): consecutive inserts then land
     * on the same pages of the (symbol, timestamp) index. Ticks of one symbol and millisecond keep
     * their order, so the rowid order among them, by which readers break ties, is the stream's.
     */
    static int[] rowsToStore(StreamChunk chunk, long storedNext) {
        int n = chunk.size();
        int first = 0;
        while (first < n && chunk.position(first) < storedNext) {
            first++; // positions increase: the skipped ones come first
        }
        int[] group = new int[n - first];
        Map<String, Integer> groups = new java.util.HashMap<>();
        int[] counts = new int[8];
        for (int i = first; i < n; i++) {
            Integer g = groups.get(chunk.tick(i).symbol());
            if (g == null) {
                g = groups.size();
                groups.put(chunk.tick(i).symbol(), g);
                if (g == counts.length) {
                    counts = java.util.Arrays.copyOf(counts, g * 2);
                }
            }
            group[i - first] = g;
            counts[g]++;
        }
        int[] start = new int[groups.size()];
        for (int g = 1; g < start.length; g++) {
            start[g] = start[g - 1] + counts[g - 1];
        }
        int[] rows = new int[group.length];
        for (int i = 0; i < group.length; i++) {
            rows[start[group[i]]++] = first + i;
        }
        return rows;
    }

    /** Inserts the chunk's ticks at {@code rows}, in that order, mostly through the multi-row statement. */
    private void insert(StreamChunk chunk, int[] rows, long streamId) throws SQLException {
        int i = 0;
        int pending = 0;
        for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
            for (int r = 0; r < ROWS_PER_STATEMENT; r++) {
                bind(insertTicks, r * COLUMNS, chunk.tick(rows[i + r]), streamId, chunk.position(rows[i + r]));
            }
            insertTicks.addBatch();
            if (++pending * ROWS_PER_STATEMENT >= INSERT_BATCH) {
                insertTicks.executeBatch();
                pending = 0;
            }
        }
        if (pending > 0) {
            insertTicks.executeBatch();
        }
        if (i < rows.length) {
            for (; i < rows.length; i++) {
                bind(insertTick, 0, chunk.tick(rows[i]), streamId, chunk.position(rows[i]));
                insertTick.addBatch();
            }
            insertTick.executeBatch();
        }
    }

    private static void bind(PreparedStatement insert, int base, Tick tick, long streamId, long position)
            throws SQLException {
        insert.setString(base + 1, tick.symbol());
        insert.setLong(base + 2, tick.timestampMillis());
        insert.setDouble(base + 3, tick.bid());
        insert.setDouble(base + 4, tick.ask());
        insert.setDouble(base + 5, tick.spread());
        setNullable(insert, base + 6, tick.lpSource());
        setNullable(insert, base + 7, tick.brokerId());
        insert.setLong(base + 8, streamId);
        insert.setLong(base + 9, position);
    }

    private static void setNullable(PreparedStatement insert, int index, String value) throws SQLException {
        if (value == null) {
            insert.setNull(index, Types.VARCHAR);
        } else {
            insert.setString(index, value);
        }
    }

    /** The next stored position of every stream this file has seen. */
    public Map<String, Long> positions() throws StoreException {
        Map<String, Long> positions = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream, next_position FROM stream_positions ORDER BY stream")) {
            while (rs.next()) {
                positions.put(rs.getString(1), rs.getLong(2));
            }
            return positions;
        } catch (SQLException e) {
            throw classify("read stream positions of " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close(); // closes the prepared statements too
        } catch (SQLException e) {
            // nothing left to protect: every write was committed or rolled back
            org.slf4j.LoggerFactory.getLogger(DayDatabase.class).warn("closing {} failed: {}", file, e.toString());
        }
    }

    /**
     * Closes every resource, also when some fail: the first failure, with the others suppressed on
     * it, is thrown as a store error.
     */
    static void closeAll(Collection<? extends AutoCloseable> resources, String action) throws StoreException {
        SQLException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                SQLException sql = e instanceof SQLException se ? se : new SQLException(e);
                if (failure == null) {
                    failure = sql;
                } else {
                    failure.addSuppressed(sql);
                }
            }
        }
        if (failure != null) {
            throw classify(action, failure);
        }
    }

    /** Sorts an SQLite failure by what the caller should do about it. */
    static StoreException classify(String action, SQLException e) {
        int extended = e instanceof SQLiteException se ? se.getResultCode().code : e.getErrorCode();
        int code = extended & 0xff;
        String message = "cannot " + action + ": " + e.getMessage();
        if (extended == SQLiteErrorCode.SQLITE_READONLY_ROLLBACK.code) {
            // only a read-only connection sees this: the file's creator died in its first transaction
            message += "; a writer was killed while creating the file, and the next writer to open it rolls that back";
        }
        return switch (code) {
            // busy or locked by another connection, I/O error, disk full, read-only or
            // unopenable file (a remount or a permission fix): an operator or time fixes these
            case 5, 6, 7, 8, 9, 10, 13, 14, 15 -> new StoreException.Retriable(message, e);
            default -> new StoreException.Fatal(message, e);
        };
    }

    private static void closeQuietly(Connection connection, Exception cause) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
