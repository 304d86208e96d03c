package io.ticksink.tools;

import java.io.IOException;

/**
 * Hands on bars given in time order and, with fill on, adds the empty intervals between them and
 * after the last one up to {@code endMillis} (exclusive), each {@link Bar#filled} with the close
 * before it: what {@link BarBuilder} does with fill on, for bars built in pieces. Not thread safe.
 */
final class BarFill implements BarBuilder.Sink {

    private final String symbol;
    private final long interval;
    private final boolean fill;
    private final long endMillis;
    private final BarBuilder.Sink sink;
    private Bar last;

    BarFill(String symbol, long intervalMillis, boolean fill, long endMillis, BarBuilder.Sink sink) {
        this.symbol = symbol;
        this.interval = intervalMillis;
        this.fill = fill;
        this.endMillis = endMillis;
        this.sink = sink;
    }

    @Override
    public void accept(Bar bar) throws IOException {
        fillUntil(bar.startMillis());
        sink.accept(bar);
        last = bar;
    }

    /** Adds the empty intervals after the last bar up to the end. */
    void finish() throws IOException {
        fillUntil(endMillis);
        last = null;
    }

    private void fillUntil(long until) throws IOException {
        if (!fill || last == null) {
            return;
        }
        // written as a difference so that an end near Long.MAX_VALUE cannot wrap around
        long end = until - 1;
        for (long s = last.startMillis(); end - s >= interval; ) {
            s += interval;
            sink.accept(Bar.filled(symbol, s, last.close()));
        }
    }
}
