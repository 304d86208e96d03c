package io.ticksink.migrator;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Route stage: sorts the ticks of one source file, in file order, into one chunk per UTC day of
 * their own timestamps, and hands a chunk over once it holds {@code batchSize} ticks. All chunks
 * together never hold more than {@code batchSize} ticks, so a file spread over many days cannot
 * grow memory: the largest chunk is handed over first.
 *
 * <p>Pure logic. Not thread safe: one router per file, used by the thread parsing it.
 */
final class DayRouter {

    /** A chunk and the day file it is bound for. */
    record DayChunk(LocalDate day, StreamChunk chunk) {
    }

    /** Takes the chunks the router hands over; may wait for room. */
    interface Sink {
        void accept(DayChunk chunk) throws InterruptedException;
    }

    private final String stream;
    private final String fingerprint;
    private final int batchSize;
    private final Sink ready;
    private final Map<Long, StreamChunk> open = new HashMap<>();
    private long lastDay = Long.MIN_VALUE;
    private StreamChunk lastChunk;
    private int buffered;

    DayRouter(String stream, String fingerprint, int batchSize, Sink ready) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1");
        }
        this.stream = stream;
        this.fingerprint = fingerprint;
        this.batchSize = batchSize;
        this.ready = ready;
    }

    /** Adds the tick at {@code position}; positions must increase. */
    void add(long position, Tick tick) throws InterruptedException {
        long day = DayFiles.epochDay(tick.timestampMillis());
        StreamChunk chunk;
        if (day == lastDay && lastChunk != null) {
            chunk = lastChunk;
        } else {
            chunk = open.computeIfAbsent(day, d -> new StreamChunk(stream, fingerprint, Math.min(batchSize, 1024)));
            lastDay = day;
            lastChunk = chunk;
        }
        chunk.add(position, tick);
        buffered++;
        if (chunk.size() >= batchSize) {
            emit(day);
        } else if (buffered >= batchSize) {
            emit(largestDay());
        }
    }

    /** Hands over every chunk in hand, for example before reporting a file that broke off. */
    void flush() throws InterruptedException {
        finish(-1);
    }

    /**
     * Hands over every chunk in hand, recording {@code endPosition} (the file's record count) as
     * the stream's next position, so the day files say the whole file was read.
     */
    void finish(long endPosition) throws InterruptedException {
        List<Long> days = new ArrayList<>(open.keySet());
        days.sort(null);
        for (Long day : days) {
            open.get(day).advanceTo(endPosition);
            emit(day);
        }
    }

    int buffered() {
        return buffered;
    }

    private long largestDay() {
        long largest = lastDay;
        int size = -1;
        for (Map.Entry<Long, StreamChunk> e : open.entrySet()) {
            if (e.getValue().size() > size) {
                size = e.getValue().size();
                largest = e.getKey();
            }
        }
        return largest;
    }

    private void emit(long day) throws InterruptedException {
        StreamChunk chunk = open.remove(day);
        if (chunk == lastChunk) {
            lastChunk = null;
        }
        buffered -= chunk.size();
        ready.accept(new DayChunk(LocalDate.ofEpochDay(day), chunk));
    }
}
