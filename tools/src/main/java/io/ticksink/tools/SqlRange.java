package io.ticksink.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;
import org.sqlite.SQLiteOpenMode;

/**
 * The day files of a range as one table {@code ticks}, a TEMP view that is the {@code UNION ALL}
 * of every file's {@code ticks}, on one read-only connection with {@code PRAGMA query_only} on.
 *
 * <p>SQLite attaches at most {@link #attachLimit()} databases to a connection (10 unless raised;
 * sqlite-jdbc is built with the maximum, 125, and the connection asks for it). A range of up to
 * that many files is read in place. Beyond it, the smallest files past the limit are first copied,
 * each read through a read-only attachment, into a temporary database that becomes the
 * connection's main database; the rest stay attached. Every query then sees every row of the
 * range once, whatever it aggregates. The copy is deleted on {@link #close()}.
 *
 * <p>Day files are opened read-only and never written; a live consumer's WAL writes go on beside
 * the reads. Not thread safe: one instance serves one query.
 */
final class SqlRange implements AutoCloseable {

    /** The columns of the {@code ticks} the query sees: the legacy store's names. */
    static final String COLUMNS = "symbol, timestamp, bid, ask, spread, lp_source, broker_id";
    private static final int MAX_ATTACHED = 125;
    private static final int BUSY_TIMEOUT_MS = 5_000;

    /** Which files are attached as they are and which are copied first. */
    record Plan(List<Path> attached, List<Path> copied) {
    }

    private final Connection connection;
    private final Path copy;

    private SqlRange(Connection connection, Path copy) {
        this.connection = connection;
        this.copy = copy;
    }

    /** The read-only connection whose {@code ticks} is the range. Owned by this range. */
    Connection connection() {
        return connection;
    }

    /**
     * How many databases a connection of this build attaches once it asks for the most: 125 with
     * sqlite-jdbc's build ({@code SQLITE_MAX_ATTACHED=125}); less when a build caps it lower.
     */
    static int attachLimit() throws SQLException {
        try (Connection c = readOnlyConfig().createConnection("jdbc:sqlite::memory:")) {
            return ((SQLiteConnection) c).getDatabase().limit(SQLiteLimits.SQLITE_LIMIT_ATTACHED.getId(), -1);
        }
    }

    /**
     * Up to {@code limit} files attached as they are; the rest, the smallest ones, copied. Files
     * keep their given order within each list.
     */
    static Plan plan(List<Path> files, Map<Path, Long> sizes, int limit) {
        if (files.size() <= limit) {
            return new Plan(List.copyOf(files), List.of());
        }
        List<Path> bySize = new ArrayList<>(files);
        bySize.sort(Comparator.comparing((Path f) -> sizes.get(f)).thenComparing(Comparator.naturalOrder()));
        List<Path> copied = bySize.subList(0, files.size() - limit);
        return new Plan(files.stream().filter(f -> !copied.contains(f)).toList(),
                files.stream().filter(copied::contains).toList());
    }

    /**
     * Opens the range, {@code limit} being {@link #attachLimit()}. Copying, when the plan needs
     * it, goes to a new file in {@code tempDir} and is announced on {@code err} with its size
     * before it starts.
     */
    static SqlRange open(Plan plan, int limit, Path tempDir, PrintWriter err) throws SQLException, IOException {
        Path copy = null;
        Connection c = null;
        try {
            if (!plan.copied().isEmpty()) {
                copy = Files.createTempFile(tempDir, "ticksink-sql-", ".db");
                copy.toFile().deleteOnExit();
                copyInto(copy, plan.copied(), limit, err);
            }
            c = readOnlyConfig().createConnection("jdbc:sqlite:" + (copy == null ? ":memory:" : copy.toAbsolutePath()));
            List<String> sources = new ArrayList<>();
            if (copy != null) {
                sources.add("main.ticks");
            }
            try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS ?")) {
                for (int i = 0; i < plan.attached().size(); i++) {
                    attach.setString(1, plan.attached().get(i).toAbsolutePath().toString());
                    attach.setString(2, "day" + i);
                    attach.execute();
                    sources.add("day" + i + ".ticks");
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP VIEW ticks AS " + unionOf(sources));
                st.execute("PRAGMA query_only = 1");
            }
            return new SqlRange(c, copy);
        } catch (SQLException | IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            if (copy != null) {
                Files.deleteIfExists(copy);
            }
            throw e;
        }
    }

    /** {@code SELECT COLUMNS FROM a UNION ALL SELECT COLUMNS FROM b ...}; no rows of those columns when none. */
    static String unionOf(List<String> tables) {
        if (tables.isEmpty()) {
            return "SELECT CAST(NULL AS TEXT) AS symbol, CAST(NULL AS INTEGER) AS timestamp, CAST(NULL AS REAL) AS bid, "
                    + "CAST(NULL AS REAL) AS ask, CAST(NULL AS REAL) AS spread, CAST(NULL AS TEXT) AS lp_source, "
                    + "CAST(NULL AS TEXT) AS broker_id WHERE 0";
        }
        return tables.stream().map(t -> "SELECT " + COLUMNS + " FROM " + t).collect(Collectors.joining(" UNION ALL "));
    }

    /** A {@code file:} URI that opens {@code file} read-only, its {@code %}, {@code ?} and {@code #} escaped. */
    static String readOnlyUri(Path file) {
        String path = file.toAbsolutePath().toString().replace("%", "%25").replace("?", "%3f").replace("#", "%23");
        return "file:" + path + "?mode=ro";
    }

    private static void copyInto(Path copy, List<Path> files, int limit, PrintWriter err) throws SQLException, IOException {
        long bytes = 0;
        for (Path f : files) {
            bytes += FileSizes.withCompanions(f);
        }
        long free = Files.getFileStore(copy.getParent()).getUsableSpace();
        err.printf("sql: the range has more day files than SQLite attaches at once (%d); copying the %d smallest "
                + "(%s on disk) into %s first. This takes time and disk space; a narrower range is read in place.%n",
                limit, files.size(), FileSizes.human(bytes), copy);
        if (free < bytes) {
            throw new IOException("not enough space in " + copy.getParent() + " for the copy: " + FileSizes.human(free)
                    + " free, up to " + FileSizes.human(bytes) + " needed; give --temp-dir a roomier place");
        }
        long started = System.nanoTime();
        long rows = 0;
        SQLiteConfig config = new SQLiteConfig();
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        // a scratch file: deleted after the query, so neither a journal nor syncs are worth paying for
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        try (Connection c = config.createConnection("jdbc:sqlite:" + copy.toAbsolutePath());
             Statement st = c.createStatement();
             PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS source")) {
            st.execute("CREATE TABLE ticks (symbol TEXT, timestamp INTEGER, bid REAL, ask REAL, spread REAL, "
                    + "lp_source TEXT, broker_id TEXT)");
            for (Path f : files) {
                attach.setString(1, readOnlyUri(f));
                attach.execute();
                rows += st.executeUpdate("INSERT INTO main.ticks SELECT " + COLUMNS + " FROM source.ticks");
                st.execute("DETACH DATABASE source");
            }
        }
        err.printf("sql: copied %,d rows in %.1f s%n", rows, (System.nanoTime() - started) / 1e9);
        err.flush();
    }

    private static SQLiteConfig readOnlyConfig() {
        Properties limits = new Properties();
        limits.setProperty(SQLiteConfig.Pragma.LIMIT_ATTACHED.pragmaName, Integer.toString(MAX_ATTACHED));
        SQLiteConfig config = new SQLiteConfig(limits);
        // read-only: every database it attaches is opened read-only too, and none can be created
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config;
    }

    /** Closes the connection and deletes the copy, if one was made. */
    @Override
    public void close() throws SQLException, IOException {
        try {
            connection.close();
        } finally {
            if (copy != null) {
                Files.deleteIfExists(copy);
            }
        }
    }
}
