package io.ticksink.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Merges the sorted rows of the files of one day into one sorted stream, holding one row per
 * file. Ties are broken by file (name order) and rowid, so the order is total and repeatable.
 *
 * <p>When it drops copies, a row whose lineage (stream name and position) was already returned
 * is skipped; rows without lineage are all returned. Copies of one record have equal timestamps
 * (and symbols), and both orders put rows of equal timestamp next to each other, so only the
 * lineage seen at the current timestamp is kept: memory grows with the ticks of one millisecond,
 * not of the day. Not thread safe.
 */
final class MergedCursor implements TickCursor, QuoteCursor {

    /** Rows ordered by timestamp: what range queries return. */
    static final Comparator<FileCursor> BY_TIME = Comparator
            .<FileCursor>comparingLong(c -> c.timestamp)
            .thenComparingInt(c -> c.fileIndex)
            .thenComparingLong(c -> c.rowid);

    /** Rows ordered by symbol then timestamp: what a day scan returns. */
    static final Comparator<FileCursor> BY_SYMBOL_TIME = Comparator
            .<FileCursor, String>comparing(c -> c.tick.symbol(), MergedCursor::compareAsSqlite)
            .thenComparing(BY_TIME);

    private final PriorityQueue<FileCursor> heads;
    private final List<FileCursor> all;
    private final boolean dropCopies;
    private Set<Lineage> seenAtTimestamp = new HashSet<>();
    private long seenTimestamp;
    private long copiesDropped;
    private int mostLineageHeld;
    private Tick current;
    private long currentTimestamp;
    private double currentBid;
    private double currentAsk;
    private double currentSpread;
    private boolean started;

    /** The source record of a row: its stream's name and its position in that stream. */
    private record Lineage(String stream, long position) {
    }

    MergedCursor(List<FileCursor> cursors, Comparator<FileCursor> order) {
        this(cursors, order, false);
    }

    /** @param dropCopies skip a row whose lineage was already returned (reads over several dirs) */
    MergedCursor(List<FileCursor> cursors, Comparator<FileCursor> order, boolean dropCopies) {
        this.all = new ArrayList<>(cursors);
        this.heads = new PriorityQueue<>(Math.max(1, cursors.size()), order);
        this.dropCopies = dropCopies;
    }

    /** The most lineage keys held at once: the rows of the busiest timestamp, for tests of flat memory. */
    int mostLineageHeld() {
        return mostLineageHeld;
    }

    /** How many rows were skipped as copies of rows already returned. */
    long copiesDropped() {
        return copiesDropped;
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
            while (true) {
                FileCursor head = heads.poll();
                if (head == null) {
                    current = null;
                    return false;
                }
                Tick tick = head.tick;
                boolean copy = dropCopies && head.stream != null && !firstAtItsTimestamp(head);
                if (!copy) {
                    currentTimestamp = head.timestamp;
                    currentBid = head.bid;
                    currentAsk = head.ask;
                    currentSpread = head.spread;
                }
                if (head.advance()) {
                    heads.add(head);
                }
                if (copy) {
                    copiesDropped++;
                    continue;
                }
                current = tick;
                return true;
            }
        } catch (SQLException e) {
            throw DayDatabase.classify("read ticks", e);
        }
    }

    private boolean firstAtItsTimestamp(FileCursor head) {
        if (seenAtTimestamp.isEmpty() || head.timestamp != seenTimestamp) {
            // clear() walks the whole table: a set grown by one busy millisecond is dropped instead
            if (seenAtTimestamp.size() > 64) {
                seenAtTimestamp = new HashSet<>();
            } else {
                seenAtTimestamp.clear();
            }
            seenTimestamp = head.timestamp;
        }
        boolean first = seenAtTimestamp.add(new Lineage(head.stream, head.position));
        mostLineageHeld = Math.max(mostLineageHeld, seenAtTimestamp.size());
        return first;
    }

    /** The current tick; {@code null} when the files' statements select prices only. */
    @Override
    public Tick tick() {
        return current;
    }

    @Override
    public long timestampMillis() {
        return currentTimestamp;
    }

    @Override
    public double bid() {
        return currentBid;
    }

    @Override
    public double ask() {
        return currentAsk;
    }

    @Override
    public double spread() {
        return currentSpread;
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
