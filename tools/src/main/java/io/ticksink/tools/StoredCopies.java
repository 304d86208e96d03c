package io.ticksink.tools;

import io.ticksink.schema.PositionIndex;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoredPositions;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The copies of one Kafka partition's records in the store, stepped through in offset order: the
 * rows of every day file that holds the partition's stream (each file read in position order by
 * its own cursor) merged with the partition's dead letters. A file's cursor is opened only when
 * the offsets reach the least position it holds, and closed when it is read out, so the open
 * cursors are those of the files whose position ranges overlap at the current offset (the days
 * whose ticks are still arriving), at most {@code maxOpen}. Memory: one row per open cursor.
 *
 * <p>Not thread safe.
 */
final class StoredCopies implements AutoCloseable {

    /** A day file's rows of the stream: the least and greatest position it holds. */
    record FileRange(Path file, LocalDate day, long min, long max) {
    }

    /** A copy at a position: where it is ({@link AuditVerdict.Copy}) and the position. */
    record Positioned(long position, AuditVerdict.Copy copy) {
    }

    /** More day files than allowed overlap at one offset. */
    static final class TooManyOpen extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyOpen(String message) {
            super(message);
        }
    }

    private static final class Head {
        final StoredPositions.Cursor file;
        final PositionIndex.Entries deadLetters;
        final LocalDate day;
        final String location;
        long position;

        Head(StoredPositions.Cursor file, LocalDate day) {
            this.file = file;
            this.deadLetters = null;
            this.day = day;
            this.location = file.file().toString();
        }

        Head(PositionIndex.Entries deadLetters) {
            this.file = null;
            this.deadLetters = deadLetters;
            this.day = null;
            this.location = null;
        }

        /** Steps on; false when read out. */
        boolean advance() throws StoreException {
            if (file != null) {
                if (file.next()) {
                    position = file.position();
                    return true;
                }
                return false;
            }
            if (deadLetters.next()) {
                position = deadLetters.position();
                return true;
            }
            return false;
        }

        AuditVerdict.Copy copy() {
            return file != null ? new AuditVerdict.Copy(day, location)
                    : new AuditVerdict.Copy(null, deadLetters.location(), deadLetters.digest());
        }

        void close() throws StoreException {
            if (file != null) {
                file.close();
            } else {
                deadLetters.close();
            }
        }
    }

    private final String stream;
    private final long from;
    private final long to;
    private final int maxOpen;
    private final Deque<FileRange> pending;
    private final PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparingLong(h -> h.position));
    private int open;
    private int maxOpenSeen;

    /**
     * @param files the day files holding the stream, with their ranges; those wholly outside
     *     {@code [from, to)} are never opened
     * @param deadLetters the partition's dead letters in {@code [from, to)}, by offset, or null;
     *     closed by {@link #close()}
     */
    StoredCopies(String stream, List<FileRange> files, PositionIndex.Entries deadLetters, long from, long to, int maxOpen)
            throws StoreException {
        this.stream = stream;
        this.from = from;
        this.to = to;
        this.maxOpen = maxOpen;
        List<FileRange> sorted = new ArrayList<>();
        for (FileRange f : files) {
            if (f.max() >= from && f.min() < to) {
                sorted.add(f);
            }
        }
        sorted.sort(Comparator.comparingLong(FileRange::min));
        this.pending = new ArrayDeque<>(sorted);
        if (deadLetters != null) {
            push(new Head(deadLetters));
        }
    }

    /**
     * The copies at {@code offset}, after handing every copy at a lower position not asked for
     * before to {@code passed}. Offsets must be asked for in increasing order.
     */
    List<AuditVerdict.Copy> at(long offset, Consumer<Positioned> passed) throws StoreException {
        openUpTo(offset);
        List<AuditVerdict.Copy> copies = new ArrayList<>(1);
        while (!heads.isEmpty() && heads.peek().position <= offset) {
            Head head = heads.poll();
            if (head.position < offset) {
                passed.accept(new Positioned(head.position, head.copy()));
            } else {
                copies.add(head.copy());
            }
            step(head);
        }
        return copies;
    }

    /** Hands every copy not asked for yet, up to the end of the range, to {@code passed}. */
    void finish(Consumer<Positioned> passed) throws StoreException {
        at(to, passed);
    }

    /** The most cursors that were open at once. */
    int maxOpenSeen() {
        return maxOpenSeen;
    }

    private void openUpTo(long offset) throws StoreException {
        while (!pending.isEmpty() && pending.peekFirst().min() <= offset) {
            FileRange f = pending.pollFirst();
            if (open == maxOpen) {
                throw new TooManyOpen(maxOpen + " day files hold overlapping offsets of " + stream + " at offset "
                        + Math.max(from, f.min()) + " (the next is " + f.file() + "): raise --max-open-files, or audit "
                        + "a narrower range");
            }
            push(new Head(StoredPositions.positions(f.file(), stream, from, to), f.day()));
        }
    }

    private void push(Head head) throws StoreException {
        if (head.file != null) {
            open++;
            maxOpenSeen = Math.max(maxOpenSeen, open);
        }
        if (head.advance()) {
            heads.add(head);
        } else {
            closeHead(head);
        }
    }

    private void step(Head head) throws StoreException {
        if (head.advance()) {
            heads.add(head);
        } else {
            closeHead(head);
        }
    }

    private void closeHead(Head head) throws StoreException {
        if (head.file != null) {
            open--;
        }
        head.close();
    }

    @Override
    public void close() throws StoreException {
        StoreException failure = null;
        for (Head head : heads) {
            try {
                head.close();
            } catch (StoreException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        heads.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
