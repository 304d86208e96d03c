package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.QuoteCursor;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Builds one symbol's bars over a range on several threads. The range is cut into pieces that
 * start at bar boundaries ({@value #PIECE_MILLIS} ms, or one bar when bars are longer); each
 * piece is read through {@link TickQueries#rangePrices} on a thread's own connections and folded
 * by its own {@link BarBuilder}. A bar never straddles two pieces and a piece holds the rows the
 * whole range holds in that time, in the same order (copies of a record share a timestamp, so
 * they fall in one piece), so the bars are those of one pass over the range. The bars of the
 * pieces in flight (at most two per thread) are held, then handed on in time order.
 *
 * <p>Reading a day's rows through JDBC is CPU-bound (a native call per column per row), so
 * threads up to the cores shorten it. Owns its threads and connections until {@link #close()};
 * used by one thread.
 */
final class BarReader implements AutoCloseable {

    static final long PIECE_MILLIS = 3_600_000L;

    private final ExecutorService threads;
    private final int inFlight;
    private final BlockingQueue<TickQueries> queries;
    private final List<TickQueries> all = new ArrayList<>();

    BarReader(List<Path> dataDirs, int threadCount) {
        this.threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "bars-reader");
            t.setDaemon(true);
            return t;
        });
        this.inFlight = 2 * threadCount;
        // a piece borrows one TickQueries (not thread safe) for its read; one per thread suffices
        this.queries = new ArrayBlockingQueue<>(threadCount);
        for (int i = 0; i < threadCount; i++) {
            TickQueries q = new TickQueries(dataDirs);
            all.add(q);
            queries.add(q);
        }
    }

    /** Hands the bars of {@code symbol} with ticks in {@code [from, to)} to {@code sink}, in time order. */
    void bars(String symbol, long from, long to, long interval, BarPrice price, BarBuilder.Sink sink)
            throws StoreException, IOException {
        long piece = Math.max(interval, PIECE_MILLIS / interval * interval);
        // only the days that have files are cut into pieces: a range of years costs no empty reads
        Deque<long[]> todo = new ArrayDeque<>();
        TickQueries lister = queries.peek();
        for (LocalDate day : lister.days()) {
            long dayStart = DayFiles.startMillis(day);
            long dayEnd = DayFiles.startMillis(day.plusDays(1));
            long start = Math.max(from, dayStart);
            long end = Math.min(to, dayEnd);
            while (start < end) {
                // a piece ends at a multiple of its length, hence at a bar boundary (a day's end is one too)
                long pieceEnd = Math.min(end, Math.floorDiv(start, piece) * piece + piece);
                todo.add(new long[] {start, pieceEnd});
                start = pieceEnd;
            }
        }
        Deque<Future<List<Bar>>> pending = new ArrayDeque<>();
        try {
            while (!todo.isEmpty() || !pending.isEmpty()) {
                while (!todo.isEmpty() && pending.size() < inFlight) {
                    long[] p = todo.removeFirst();
                    pending.add(threads.submit(() -> read(symbol, p[0], p[1], interval, price)));
                }
                for (Bar bar : take(pending.removeFirst())) {
                    sink.accept(bar);
                }
            }
        } finally {
            for (Future<List<Bar>> f : pending) {
                f.cancel(false);
            }
        }
    }

    private List<Bar> read(String symbol, long from, long to, long interval, BarPrice price)
            throws StoreException, IOException, InterruptedException {
        TickQueries q = queries.take();
        try {
            List<Bar> bars = new ArrayList<>();
            BarBuilder builder = new BarBuilder(symbol, interval, price, false, to, bars::add);
            try (QuoteCursor cursor = q.rangePrices(symbol, from, to)) {
                while (cursor.next()) {
                    builder.add(cursor.timestampMillis(), cursor.bid(), cursor.ask(), cursor.spread());
                }
            }
            builder.finish();
            return bars;
        } finally {
            queries.add(q);
        }
    }

    private static List<Bar> take(Future<List<Bar>> piece) throws StoreException, IOException {
        try {
            return piece.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading bars", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreException s) {
                throw s;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public void close() throws StoreException {
        // a piece still being read (after another failed) finishes before its connections close
        threads.shutdown();
        try {
            threads.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StoreException failure = null;
        for (TickQueries q : all) {
            try {
                q.close();
            } catch (StoreException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
