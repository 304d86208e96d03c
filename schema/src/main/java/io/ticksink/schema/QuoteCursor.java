package io.ticksink.schema;

/**
 * A forward-only stream of the prices of ticks, without their symbol and source fields: what
 * aggregates such as bars need, read without building a {@link Tick} or a string per row. It
 * yields the rows a {@link TickCursor} over the same query yields, in the same order.
 *
 * <p>Not thread safe: one thread steps and closes it. Holds open statements until closed.
 */
public interface QuoteCursor extends AutoCloseable {

    /** Moves to the next row; {@code false} when there is none. */
    boolean next() throws StoreException;

    /** The current row's timestamp, epoch milliseconds; valid after {@link #next()} returned {@code true}. */
    long timestampMillis();

    double bid();

    double ask();

    /** The spread as stored. */
    double spread();

    @Override
    void close() throws StoreException;
}
