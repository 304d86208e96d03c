package io.ticksink.tools;

import io.ticksink.schema.Tick;
import java.io.IOException;

/**
 * Folds one symbol's ticks, given in timestamp order, into bars aligned to UTC (a bar starts at a
 * multiple of the interval since the epoch, hence at midnight UTC for every interval that divides
 * a day). The first tick of a bar in stream order is its open and the last its close, so ticks of
 * equal timestamp count in the order the cursor gives them. A bar is handed on as soon as a tick of
 * a later bar arrives: memory is one bar, however many ticks.
 *
 * <p>With fill on, every interval from the first bar up to {@code endMillis} (exclusive) that has no
 * tick is handed on as {@link Bar#filled} with the last close. Pure logic, no I/O of its own; not
 * thread safe.
 */
final class BarBuilder {

    /** Receives the bars in time order. */
    interface Sink {
        void accept(Bar bar) throws IOException;
    }

    private final String symbol;
    private final long interval;
    private final BarPrice price;
    private final boolean fill;
    private final long endMillis;
    private final Sink sink;

    private long start;
    private long ticks;
    // each price is kept as the bid and ask of its tick, and compared by its key
    private double openBid;
    private double openAsk;
    private double highBid;
    private double highAsk;
    private double highKey;
    private double lowBid;
    private double lowAsk;
    private double lowKey;
    private double closeBid;
    private double closeAsk;
    private double spreadMin;
    private double spreadMax;
    private double spreadSum;
    /** Neumaier's compensation: a day of equal spreads averages to that spread, not to a neighbour of it. */
    private double spreadSumError;
    private double lastClose = Double.NaN;

    /**
     * @param intervalMillis bar length, positive
     * @param endMillis end of the range read, exclusive: fill stops at the last bar starting before it
     */
    BarBuilder(String symbol, long intervalMillis, BarPrice price, boolean fill, long endMillis, Sink sink) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + intervalMillis);
        }
        this.symbol = symbol;
        this.interval = intervalMillis;
        this.price = price;
        this.fill = fill;
        this.endMillis = endMillis;
        this.sink = sink;
    }

    /** Adds the next tick; its timestamp is not before the previous one's. */
    void add(Tick t) throws IOException {
        add(t.timestampMillis(), t.bid(), t.ask(), t.spread());
    }

    void add(long timestampMillis, double bid, double ask, double spread) throws IOException {
        long barStart = Math.floorDiv(timestampMillis, interval) * interval;
        double key = price.key(bid, ask);
        if (ticks == 0 || barStart != start) {
            if (ticks > 0) {
                emit();
                fillUntil(barStart);
            }
            start = barStart;
            ticks = 1;
            openBid = bid;
            openAsk = ask;
            highBid = bid;
            highAsk = ask;
            highKey = key;
            lowBid = bid;
            lowAsk = ask;
            lowKey = key;
            closeBid = bid;
            closeAsk = ask;
            spreadMin = spread;
            spreadMax = spread;
            spreadSum = spread;
            spreadSumError = 0;
            return;
        }
        ticks++;
        if (key > highKey) {
            highKey = key;
            highBid = bid;
            highAsk = ask;
        }
        if (key < lowKey) {
            lowKey = key;
            lowBid = bid;
            lowAsk = ask;
        }
        closeBid = bid;
        closeAsk = ask;
        spreadMin = Math.min(spreadMin, spread);
        spreadMax = Math.max(spreadMax, spread);
        double sum = spreadSum + spread;
        spreadSumError += Math.abs(spreadSum) >= Math.abs(spread)
                ? (spreadSum - sum) + spread : (spread - sum) + spreadSum;
        spreadSum = sum;
    }

    /** Hands on the bar in hand and, with fill on, the empty intervals after it up to the end. */
    void finish() throws IOException {
        if (ticks > 0) {
            emit();
            ticks = 0;
            fillUntil(endMillis);
        }
    }

    private void emit() throws IOException {
        lastClose = price.value(closeBid, closeAsk);
        sink.accept(new Bar(symbol, start, price.value(openBid, openAsk), price.value(highBid, highAsk),
                price.value(lowBid, lowAsk), lastClose, ticks, spreadMin, (spreadSum + spreadSumError) / ticks, spreadMax));
    }

    /** The empty bars after the one at {@link #start} that begin before {@code until}. */
    private void fillUntil(long until) throws IOException {
        if (!fill) {
            return;
        }
        // written as a difference so that an end near Long.MAX_VALUE cannot wrap around
        long last = until - 1;
        for (long s = start; last - s >= interval; ) {
            s += interval;
            sink.accept(Bar.filled(symbol, s, lastClose));
        }
    }
}
