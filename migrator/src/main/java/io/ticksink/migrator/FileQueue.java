package io.ticksink.migrator;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Hands the source files to the parser threads in an order that keeps SQLite transactions big and
 * the writers busy together. Files are grouped into lanes by the day in their name (a file's
 * ticks mostly belong to that UTC day), one lane per parser, with {@code day mod lanes} as
 * {@link WritePool} assigns days to writers: parser {@code i} then feeds mostly writer {@code i},
 * with chunks of one day after another, which the writer joins into one transaction. A parser
 * whose lane is empty takes from the fullest other lane, so no thread idles while files remain.
 *
 * <p>Thread safe.
 */
final class FileQueue {

    private final List<Deque<SourceFile>> lanes = new ArrayList<>();

    FileQueue(List<SourceFile> sources, int laneCount) {
        for (int i = 0; i < laneCount; i++) {
            lanes.add(new ArrayDeque<>());
        }
        List<SourceFile> sorted = new ArrayList<>(sources);
        sorted.sort(Comparator.comparingLong(FileQueue::nameDay).thenComparing(SourceFile::relativePath));
        for (SourceFile source : sorted) {
            long day = nameDay(source);
            lanes.get((int) Math.floorMod(day == Long.MAX_VALUE ? 0 : day, (long) laneCount)).add(source);
        }
    }

    /** The next file for parser {@code lane}, or {@code null} when none is left. */
    synchronized SourceFile next(int lane) {
        Deque<SourceFile> own = lanes.get(lane % lanes.size());
        if (!own.isEmpty()) {
            return own.poll();
        }
        Deque<SourceFile> fullest = own;
        for (Deque<SourceFile> other : lanes) {
            if (other.size() > fullest.size()) {
                fullest = other;
            }
        }
        // take from the end: the lane's owner goes on with the days at its front
        return fullest.pollLast();
    }

    /** The epoch day in a file name such as {@code 2026-01-19.json.gz}, or {@link Long#MAX_VALUE}. */
    static long nameDay(SourceFile source) {
        String name = source.path().getFileName().toString();
        if (name.length() < 10) {
            return Long.MAX_VALUE;
        }
        try {
            return LocalDate.parse(name.substring(0, 10)).toEpochDay();
        } catch (DateTimeParseException e) {
            return Long.MAX_VALUE;
        }
    }
}
