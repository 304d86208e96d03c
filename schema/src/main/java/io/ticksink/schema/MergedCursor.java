package io.ticksink.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges the sorted rows of the files of one day into one sorted stream, holding one row per
 * file. Ties are broken by file (name order) and rowid, so the order is total and repeatable.
 * Not thread safe.
 */
final class MergedCursor implements TickCursor {

    /** Rows ordered by timestamp: what range queries return. */
    static final Comparator<FileCursor> BY_TIME = Comparator
            .<FileCursor>comparingLong(c -> c.tick.timestampMillis())
            .thenComparingInt(c -> c.fileIndex)
            .thenComparingLong(c -> c.rowid);

    /** Rows ordered by symbol then timestamp: what a day scan returns. */
    static final Comparator<FileCursor> BY_SYMBOL_TIME = Comparator
            .<FileCursor, String>comparing(c -> c.tick.symbol(), MergedCursor::compareAsSqlite)
            .thenComparing(BY_TIME);

    private final PriorityQueue<FileCursor> heads;
    private final List<FileCursor> all;
    private Tick current;
    private boolean started;

    MergedCursor(List<FileCursor> cursors, Comparator<FileCursor> order) {
        this.all = new ArrayList<>(cursors);
        this.heads = new PriorityQueue<>(Math.max(1, cursors.size()), order);
    }

    @Override
    public boolean next() throws StoreException {
        try {
            if (!started) {
                started = true;
                for (FileCursor c : all) {
                    if (c.advance()) {
                        heads.add(c);
                    }
                }
            }
            FileCursor head = heads.poll();
            if (head == null) {
                current = null;
                return false;
            }
            current = head.tick;
            if (head.advance()) {
                heads.add(head);
            }
            return true;
        } catch (SQLException e) {
            throw DayDatabase.classify("read ticks", e);
        }
    }

    @Override
    public Tick tick() {
        return current;
    }

    @Override
    public void close() throws StoreException {
        try {
            DayDatabase.closeAll(all, "close a query");
        } finally {
            all.clear();
            heads.clear();
        }
    }

    /**
     * SQLite's BINARY collation compares UTF-8 bytes, which orders like Unicode code points;
     * {@link String#compareTo} compares UTF-16 units, which differs above U+FFFF.
     */
    static int compareAsSqlite(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
