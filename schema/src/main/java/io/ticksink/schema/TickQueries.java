package io.ticksink.schema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;

/**
 * Read queries over the day files of one data dir, or of several (the dirs of several nodes): a
 * symbol's ticks in a time range, its most recent ticks, and a whole day in symbol order. Every
 * query unions the files that share a day's prefix ({@code ticks_YYYY-MM-DD*.db}) in every dir;
 * compressed days ({@code .db.zst}) are not read.
 *
 * <p>Over several dirs each source record is returned once: a row whose lineage (its stream's
 * name and its position) was already returned is skipped, whichever dir holds it. Rows without
 * lineage (written by schema version 1) are all returned. Over one dir rows are returned as
 * stored (the dir's stream positions keep it free of copies).
 *
 * <p>Connections are read-only, opened on first use and kept (up to {@value #MAX_OPEN} files)
 * until {@link #close()}, so repeated queries skip the open. They may run beside a writer: each
 * statement reads the last committed state. Not thread safe: use one instance per thread.
 */
public final class TickQueries implements AutoCloseable {

    static final int MAX_OPEN = 64;
    private static final long MMAP_BYTES = 1L << 30;

    // for a version 1 file, and where lineage is not needed, FileCursor.COLUMNS_V1 replaces FileCursor.COLUMNS
    static final String RANGE = "SELECT " + FileCursor.COLUMNS + " FROM ticks "
            + "WHERE symbol = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, rowid";
    // FileCursor.PRICES is replaced by the price columns with lineage when copies are dropped
    static final String RANGE_PRICES = "SELECT " + FileCursor.PRICES + " FROM ticks "
            + "WHERE symbol = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, rowid";
    static final String RECENT = "SELECT " + FileCursor.COLUMNS + " FROM ticks "
            + "WHERE symbol = ? ORDER BY timestamp DESC, rowid DESC LIMIT ?";
    static final String DAY_ALL = "SELECT " + FileCursor.COLUMNS + " FROM ticks "
            + "ORDER BY symbol, timestamp, rowid";
    static final String DAY_SYMBOL = "SELECT " + FileCursor.COLUMNS + " FROM ticks "
            + "WHERE symbol = ? ORDER BY symbol, timestamp, rowid";

    private final List<Path> dataDirs;
    private final boolean dropCopies;
    private final Map<Path, Connection> connections = new LinkedHashMap<>(16, 0.75f, true);

    public TickQueries(Path dataDir) {
        this(List.of(dataDir));
    }

    /**
     * Queries over the union of {@code dataDirs}, each source record once when there is more
     * than one (see the class comment).
     *
     * @throws IllegalArgumentException when no dir is given
     */
    public TickQueries(List<Path> dataDirs) {
        if (dataDirs.isEmpty()) {
            throw new IllegalArgumentException("no data dir");
        }
        this.dataDirs = List.copyOf(dataDirs);
        this.dropCopies = this.dataDirs.size() > 1;
    }

    /**
     * The ticks of {@code symbol} with {@code fromMillis <= timestamp < toMillis}, in timestamp
     * order (ties in file and insertion order). Reads one day at a time.
     */
    public TickCursor range(String symbol, long fromMillis, long toMillis) {
        return new RangeCursor(symbol, fromMillis, toMillis);
    }

    /**
     * The prices of the ticks {@link #range} returns, the same rows in the same order (copies
     * dropped alike over several dirs), without reading their symbol and source fields: about
     * twice as fast for aggregates over many rows.
     */
    public QuoteCursor rangePrices(String symbol, long fromMillis, long toMillis) {
        return new RangeCursor(symbol, fromMillis, toMillis, true);
    }

    /**
     * The {@code limit} most recent ticks of {@code symbol}, oldest first. Reads days newest
     * first and stops at the day that completes the count.
     */
    public List<Tick> recent(String symbol, int limit) throws StoreException {
        List<Tick> newestFirst = new ArrayList<>(Math.min(limit, 10_000));
        Indexes index = new Indexes();
        for (LocalDate day : index.daysDescending()) {
            if (newestFirst.size() >= limit) {
                break;
            }
            int wanted = limit - newestFirst.size();
            try (TickCursor cursor = open(index.filesOf(day), MergedCursor.BY_TIME.reversed(), RECENT,
                    ps -> {
                        ps.setString(1, symbol);
                        ps.setInt(2, wanted);
                    })) {
                while (newestFirst.size() < limit && cursor.next()) {
                    newestFirst.add(cursor.tick());
                }
            }
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** Every tick of one day, or of one symbol when {@code symbol} is not null, ordered by symbol then timestamp. */
    public TickCursor day(LocalDate day, String symbol) throws StoreException {
        List<Path> files = new Indexes().filesOf(day);
        return open(files, MergedCursor.BY_SYMBOL_TIME, symbol == null ? DAY_ALL : DAY_SYMBOL, ps -> {
            if (symbol != null) {
                ps.setString(1, symbol);
            }
        });
    }

    /**
     * How many rows of the day repeat a source record (same stream and position) already seen in
     * a file of the day in any of the dirs: the copies a union read drops. Rows without lineage
     * are never counted. Reads every row of the day, with the memory of one timestamp's rows.
     */
    public long copies(LocalDate day) throws StoreException {
        List<Path> files = new Indexes().filesOf(day);
        try (MergedCursor cursor = open(files, MergedCursor.BY_SYMBOL_TIME, DAY_ALL, ps -> { }, true)) {
            while (cursor.next()) {
                // stepping is what counts the copies
            }
            return cursor.copiesDropped();
        }
    }

    /** The days that have at least one uncompressed file, oldest first. */
    public List<LocalDate> days() throws StoreException {
        List<LocalDate> days = new ArrayList<>();
        new Indexes().daysDescending().forEach(days::add);
        Collections.reverse(days);
        return days;
    }

    /** The files of one day, dir by dir in the order given, each dir's main file first. */
    public List<Path> filesOf(LocalDate day) throws StoreException {
        return new Indexes().filesOf(day);
    }

    /** The day files of every dir, listed as {@link DayIndex} lists one dir's. */
    private final class Indexes {
        private final List<DayIndex> indexes = new ArrayList<>(dataDirs.size());

        Indexes() {
            for (Path dir : dataDirs) {
                indexes.add(new DayIndex(dir));
            }
        }

        List<Path> filesOf(LocalDate day) throws StoreException {
            if (indexes.size() == 1) {
                return indexes.get(0).filesOf(day);
            }
            List<Path> files = new ArrayList<>();
            for (DayIndex index : indexes) {
                files.addAll(index.filesOf(day));
            }
            return files;
        }

        LocalDate nextDay(LocalDate from, LocalDate to) throws StoreException {
            LocalDate first = null;
            for (DayIndex index : indexes) {
                LocalDate d = index.nextDay(from, first == null ? to : first);
                if (d != null && (first == null || d.isBefore(first))) {
                    first = d;
                }
            }
            return first;
        }

        Iterable<LocalDate> daysDescending() throws StoreException {
            if (indexes.size() == 1) {
                return indexes.get(0).daysDescending();
            }
            NavigableSet<LocalDate> days = new TreeSet<>(Comparator.reverseOrder());
            for (DayIndex index : indexes) {
                index.daysDescending().forEach(days::add);
            }
            return days;
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private MergedCursor open(List<Path> files, Comparator<FileCursor> order, String sql, Binder binder)
            throws StoreException {
        return open(files, order, sql, binder, dropCopies);
    }

    private MergedCursor open(List<Path> files, Comparator<FileCursor> order, String sql, Binder binder,
            boolean dropCopies) throws StoreException {
        boolean pricesOnly = sql.startsWith("SELECT " + FileCursor.PRICES + " FROM");
        List<FileCursor> cursors = new ArrayList<>(files.size());
        try {
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                Connection c = connection(file);
                // lineage is read only to drop copies: one dir's reads stay as lean as before it
                PreparedStatement ps = c.prepareStatement(statement(sql, pricesOnly, dropCopies, c));
                try {
                    binder.bind(ps);
                    cursors.add(new FileCursor(file, i, c, ps, pricesOnly, dropCopies || !pricesOnly));
                } catch (SQLException e) {
                    ps.close();
                    throw new SQLException(file + ": " + e.getMessage(), e);
                }
            }
            return new MergedCursor(cursors, order, dropCopies);
        } catch (SQLException e) {
            StoreException failure = DayDatabase.classify("query " + files, e);
            try {
                new MergedCursor(cursors, order).close();
            } catch (StoreException closing) {
                failure.addSuppressed(closing);
            }
            throw failure;
        }
    }

    private static String statement(String sql, boolean pricesOnly, boolean dropCopies, Connection c)
            throws SQLException {
        if (pricesOnly) {
            return dropCopies ? sql.replace(FileCursor.PRICES + " FROM", (FileCursor.hasLineage(c)
                    ? FileCursor.PRICES_LINEAGE : FileCursor.PRICES_LINEAGE_V1) + " FROM") : sql;
        }
        return dropCopies && FileCursor.hasLineage(c) ? sql : sql.replace(FileCursor.COLUMNS, FileCursor.COLUMNS_V1);
    }

    private Connection connection(Path file) throws SQLException {
        Connection c = connections.get(file);
        if (c != null) {
            return c;
        }
        c = connect(file);
        connections.put(file, c);
        // the eldest file belongs to a day read before, whose cursors are closed
        Iterator<Map.Entry<Path, Connection>> it = connections.entrySet().iterator();
        while (connections.size() > MAX_OPEN && it.hasNext()) {
            Connection eldest = it.next().getValue();
            it.remove();
            eldest.close();
        }
        return c;
    }

    private static Connection connect(Path file) throws SQLException {
        if (!Files.exists(file)) {
            throw new SQLException("no such day file: " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5_000);
        // a day's range touches one page per tick (symbols interleave on disk): with the file
        // memory-mapped those page reads are memory loads, not a read() call each (BENCHMARKS.md
        // has the query figures). It costs address space only; the OS shares the pages.
        config.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(MMAP_BYTES));
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    @Override
    public void close() throws StoreException {
        try {
            DayDatabase.closeAll(connections.values(), "close day files");
        } finally {
            connections.clear();
        }
    }

    /** Steps through the days of a range, one merged day cursor at a time. */
    private final class RangeCursor implements TickCursor, QuoteCursor {
        private final String symbol;
        private final long fromMillis;
        private final long toMillis;
        private final boolean pricesOnly;
        private final LocalDate lastDay;
        private final Indexes index = new Indexes();
        private LocalDate nextDay;
        private MergedCursor day;
        private Tick current;

        RangeCursor(String symbol, long fromMillis, long toMillis) {
            this(symbol, fromMillis, toMillis, false);
        }

        RangeCursor(String symbol, long fromMillis, long toMillis, boolean pricesOnly) {
            this.pricesOnly = pricesOnly;
            this.symbol = symbol;
            this.fromMillis = fromMillis;
            this.toMillis = toMillis;
            this.nextDay = DayFiles.day(fromMillis);
            this.lastDay = toMillis > fromMillis ? DayFiles.day(toMillis - 1) : null;
        }

        @Override
        public boolean next() throws StoreException {
            while (true) {
                if (day != null) {
                    if (day.next()) {
                        current = day.tick();
                        return true;
                    }
                    day.close();
                    day = null;
                }
                LocalDate d = lastDay == null || nextDay == null ? null : index.nextDay(nextDay, lastDay);
                if (d == null) {
                    current = null;
                    return false;
                }
                nextDay = d.plusDays(1);
                day = open(index.filesOf(d), MergedCursor.BY_TIME, pricesOnly ? RANGE_PRICES : RANGE, ps -> {
                    ps.setString(1, symbol);
                    ps.setLong(2, fromMillis);
                    ps.setLong(3, toMillis);
                });
            }
        }

        @Override
        public Tick tick() {
            return current;
        }

        // the day cursor in hand holds the current row; these are read only after next() returned true
        @Override
        public long timestampMillis() {
            return day.timestampMillis();
        }

        @Override
        public double bid() {
            return day.bid();
        }

        @Override
        public double ask() {
            return day.ask();
        }

        @Override
        public double spread() {
            return day.spread();
        }

        @Override
        public void close() throws StoreException {
            if (day != null) {
                day.close();
                day = null;
            }
        }
    }
}
