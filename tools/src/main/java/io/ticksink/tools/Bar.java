package io.ticksink.tools;

/**
 * One OHLC bar of one symbol: the ticks with {@code startMillis <= timestamp < startMillis +
 * interval}. A bar that {@code --fill} adds for an interval without ticks has {@code ticks == 0},
 * every price equal to the last close before it, and no spread figures ({@code NaN}).
 *
 * @param startMillis the interval's start, epoch milliseconds (UTC)
 * @param ticks how many ticks the bar holds
 * @param spreadMean the arithmetic mean of the ticks' stored spreads
 */
record Bar(String symbol, long startMillis, double open, double high, double low, double close,
        long ticks, double spreadMin, double spreadMean, double spreadMax) {

    static Bar filled(String symbol, long startMillis, double close) {
        return new Bar(symbol, startMillis, close, close, close, close, 0, Double.NaN, Double.NaN, Double.NaN);
    }
}
