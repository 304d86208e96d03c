package io.ticksink.schema;

/**
 * A forward-only stream of ticks read from one or more day files. Holds open statements until
 * closed, so memory stays flat however many ticks it yields.
 *
 * <p>Not thread safe: one thread steps and closes it.
 */
public interface TickCursor extends AutoCloseable {

    /** Moves to the next tick; {@code false} when there is none. */
    boolean next() throws StoreException;

    /** The current tick, valid after {@link #next()} returned {@code true}. */
    Tick tick();

    @Override
    void close() throws StoreException;
}
