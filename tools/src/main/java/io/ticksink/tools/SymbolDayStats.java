package io.ticksink.tools;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Accumulates one symbol's ticks of one day, fed in timestamp order: count, first and last
 * tick, average spread, and the gaps between consecutive ticks (how many exceed the threshold,
 * and the largest). Pure logic, not thread safe.
 */
final class SymbolDayStats {

    /** Ten significant digits: the average of many doubles carries noise in the last ones. */
    private static final MathContext AVERAGE_DIGITS = new MathContext(10);

    static final String CSV_HEADER = "day,symbol,ticks,first,last,avg_spread,gaps,max_gap_ms";

    private final String symbol;
    private final long gapThresholdMillis;
    private long count;
    private long first;
    private long last;
    private double spreadSum;
    private long gaps;
    private long maxGap;

    SymbolDayStats(String symbol, long gapThresholdMillis) {
        this.symbol = symbol;
        this.gapThresholdMillis = gapThresholdMillis;
    }

    void add(long timestampMillis, double spread) {
        if (count == 0) {
            first = timestampMillis;
        } else {
            long gap = timestampMillis - last;
            if (gap > gapThresholdMillis) {
                gaps++;
            }
            maxGap = Math.max(maxGap, gap);
        }
        last = timestampMillis;
        spreadSum += spread;
        count++;
    }

    String symbol() {
        return symbol;
    }

    long count() {
        return count;
    }

    long gaps() {
        return gaps;
    }

    long maxGapMillis() {
        return maxGap;
    }

    double averageSpread() {
        return count == 0 ? Double.NaN : spreadSum / count;
    }

    /** One CSV row after {@link #CSV_HEADER}; the symbol is quoted when it must be. */
    String csvRow(String day) {
        String quoted = symbol.matches("[^,\"\\r\\n]*") ? symbol : '"' + symbol.replace("\"", "\"\"") + '"';
        return String.join(",", day, quoted, Long.toString(count), Instants.print(first), Instants.print(last),
                new BigDecimal(averageSpread()).round(AVERAGE_DIGITS).stripTrailingZeros().toPlainString(),
                Long.toString(gaps), Long.toString(maxGap));
    }
}
