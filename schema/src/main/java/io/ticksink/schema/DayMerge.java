package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Merges day files of other data dirs into a day file, each source record once, by lineage.
 *
 * <p>All sources of a call are merged in one transaction on the target, so a merge killed at
 * any point leaves the target as it was before or with everything; either way a rerun is exact.
 * Sources are attached read-only ({@code mode=ro}) and read inside that transaction, so each is
 * read as one committed snapshot: a consumer writing a source meanwhile is not disturbed, and
 * what it commits later is picked up by a later merge.
 *
 * <ul>
 *   <li>A row with lineage is copied unless the target already holds a row of the same stream
 *       name and position. The target gets an index {@code idx_ticks_lineage} on
 *       {@code ticks(stream_id, position)} for that check.</li>
 *   <li>A row without lineage (written by schema version 1) is copied only as far as the
 *       target holds fewer rows without lineage identical to it in every column: a source
 *       holding a tick three times leaves it three times in the target, however many sources
 *       or runs copy it.</li>
 *   <li>Stream positions become the greater of target and source; a stored fingerprint is kept,
 *       a missing one taken from the source. A source fingerprint that differs from the
 *       target's (another incarnation of a Kafka topic-partition, another content of a source
 *       file) is counted as a conflict: the target's fingerprint and position are kept, and the
 *       source's rows of that stream are still matched by stream name and position.</li>
 * </ul>
 */
public final class DayMerge {

    /** Most sources attached in one transaction: SQLite's default limit of attached databases. */
    public static final int MAX_SOURCES = 10;

    /**
     * What one merge did.
     *
     * @param added rows copied into the target (with and without lineage)
     * @param copiesDropped source rows with lineage already in the target, not copied
     * @param withoutLineage source rows without lineage (copied or not)
     * @param withoutLineageAdded of those, how many were copied
     * @param fingerprintConflicts source streams whose fingerprint differs from the target's
     */
    public record Result(long added, long copiesDropped, long withoutLineage, long withoutLineageAdded, long fingerprintConflicts) {
        public Result plus(Result o) {
            return new Result(added + o.added, copiesDropped + o.copiesDropped, withoutLineage + o.withoutLineage,
                    withoutLineageAdded + o.withoutLineageAdded, fingerprintConflicts + o.fingerprintConflicts);
        }

        public static final Result NONE = new Result(0, 0, 0, 0, 0);
    }

    private static final String CONTENT_MATCH = "t.symbol = s.symbol AND t.timestamp = s.timestamp AND t.bid = s.bid "
            + "AND t.ask = s.ask AND t.spread = s.spread AND t.lp_source IS s.lp_source AND t.broker_id IS s.broker_id";

    private DayMerge() {
    }

    /**
     * Merges {@code sources} (at most {@link #MAX_SOURCES} day files of the same day) into
     * {@code target}, created with the current schema if missing, in one transaction. Fails as
     * {@link StoreException.Retriable} when a writer keeps the target past {@code busyTimeout},
     * as {@link StoreException.Fatal} when a source is not a ticksink day database.
     */
    public static Result mergeInto(Path target, List<Path> sources, Duration busyTimeout) throws StoreException {
        if (sources.size() > MAX_SOURCES) {
            throw new IllegalArgumentException("at most " + MAX_SOURCES + " sources in one merge, got " + sources.size());
        }
        Path wal = target.resolveSibling(target.getFileName() + "-wal");
        // a -wal without its database belongs to a deleted one: SQLite would replay it into a new file
        if (Files.exists(wal) && !Files.exists(target)) {
            throw new StoreException.Fatal(wal + " exists without " + target + "; move it away first", null);
        }
        for (Path source : sources) {
            if (!Files.isRegularFile(source)) {
                throw new StoreException.Fatal("no such day file: " + source, null);
            }
        }
        // create the file, schema included, exactly as the consumer does (or upgrade the one there)
        DayDatabase.open(target, StoreOptions.defaults().withBusyTimeout(busyTimeout)).close();
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        try (Connection c = config.createConnection("jdbc:sqlite:" + target.toAbsolutePath());
             Statement st = c.createStatement()) {
            // ATTACH is not allowed inside a transaction: all sources first
            for (int i = 0; i < sources.size(); i++) {
                try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS src" + i)) {
                    attach.setString(1, readOnlyUri(sources.get(i)));
                    attach.execute();
                }
            }
            // on any failure below, closing the connection rolls the transaction back
            c.setAutoCommit(false); // BEGIN IMMEDIATE: the write lock, waiting up to the busy timeout
            DayDatabase.requireTicksink(target, st, "main");
            st.executeUpdate("CREATE INDEX IF NOT EXISTS main.idx_ticks_lineage ON ticks (stream_id, position)");
            Result total = Result.NONE;
            for (int i = 0; i < sources.size(); i++) {
                String src = "src" + i;
                DayDatabase.requireTicksink(sources.get(i), st, src);
                total = total.plus(mergeOne(st, src));
            }
            c.setAutoCommit(true); // COMMIT
            return total;
        } catch (SQLException e) {
            throw DayDatabase.classify("merge " + sources + " into " + target, e);
        }
    }

    private static Result mergeOne(Statement st, String src) throws SQLException {
        long lineageRows = 0;
        long lineageAdded = 0;
        boolean lineage = DayDatabase.hasLineage(st, src);
        if (lineage) {
            // WHERE true: without it SQLite would read ON CONFLICT as a join constraint
            st.executeUpdate("INSERT INTO main.streams (name) SELECT name FROM " + src + ".streams WHERE true "
                    + "ON CONFLICT (name) DO NOTHING");
            lineageRows = count(st, "SELECT count(*) FROM " + src + ".ticks t JOIN " + src + ".streams s ON s.id = t.stream_id "
                    + "WHERE t.position IS NOT NULL");
            // stream ids are numbered per file: the source's are mapped to the target's by name
            lineageAdded = st.executeUpdate("INSERT INTO main.ticks (symbol, timestamp, bid, ask, spread, lp_source, broker_id, "
                    + "stream_id, position) SELECT t.symbol, t.timestamp, t.bid, t.ask, t.spread, t.lp_source, t.broker_id, "
                    + "m.id, t.position FROM " + src + ".ticks t JOIN " + src + ".streams s ON s.id = t.stream_id "
                    + "JOIN main.streams m ON m.name = s.name WHERE t.position IS NOT NULL AND NOT EXISTS "
                    + "(SELECT 1 FROM main.ticks x WHERE x.stream_id = m.id AND x.position = t.position) ORDER BY t.rowid");
        }
        // rows without lineage: a v1 file has no stream_id column at all
        String noLineage = lineage
                ? "(SELECT t.* FROM " + src + ".ticks t WHERE t.position IS NULL OR t.stream_id IS NULL "
                        + "OR NOT EXISTS (SELECT 1 FROM " + src + ".streams s WHERE s.id = t.stream_id))"
                : src + ".ticks";
        long nullRows = count(st, "SELECT count(*) FROM " + noLineage);
        long nullAdded = 0;
        if (nullRows > 0) {
            // the k-th copy of a tick in the source is added when the target holds fewer than k copies
            nullAdded = st.executeUpdate("INSERT INTO main.ticks (symbol, timestamp, bid, ask, spread, lp_source, broker_id) "
                    + "SELECT symbol, timestamp, bid, ask, spread, lp_source, broker_id FROM (SELECT s.*, row_number() OVER "
                    + "(PARTITION BY s.symbol, s.timestamp, s.bid, s.ask, s.spread, s.lp_source, s.broker_id) AS k, "
                    + "(SELECT count(*) FROM main.ticks t WHERE t.stream_id IS NULL AND " + CONTENT_MATCH + ") AS have "
                    + "FROM " + noLineage + " s) WHERE k > have");
        }
        long conflicts = count(st, "SELECT count(*) FROM " + src + ".stream_positions s JOIN main.stream_positions t "
                + "ON t.stream = s.stream WHERE t.fingerprint IS NOT NULL AND s.fingerprint IS NOT NULL "
                + "AND t.fingerprint <> s.fingerprint");
        st.executeUpdate("INSERT INTO main.stream_positions (stream, next_position, fingerprint, updated_at) "
                + "SELECT stream, next_position, fingerprint, updated_at FROM " + src + ".stream_positions WHERE true "
                + "ON CONFLICT (stream) DO UPDATE SET "
                // another incarnation's position says nothing about the target's: kept as it is
                + "next_position = CASE WHEN fingerprint <> excluded.fingerprint THEN next_position "
                + "ELSE max(next_position, excluded.next_position) END, "
                + "fingerprint = coalesce(fingerprint, excluded.fingerprint), "
                + "updated_at = max(updated_at, excluded.updated_at)");
        return new Result(lineageAdded + nullAdded, lineageRows - lineageAdded, nullRows, nullAdded, conflicts);
    }

    private static String readOnlyUri(Path file) {
        // a URI: '?', '#' and '%' in the path must be escaped
        String path = file.toAbsolutePath().toString().replace("%", "%25").replace("?", "%3f").replace("#", "%23");
        return "file:" + path + "?mode=ro";
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
