package io.ticksink.consumer.load;

import java.util.Map;

/**
 * How a symbol is quoted, for synthetic prices that look like the market's: a typical mid price,
 * the decimals quoted, the pip, and the usual range of the spread. Prices are counted in points,
 * the smallest quoted step ({@code 10^-digits}): EURUSD's 1.08500 is 108,500 points, its pip ten.
 * Immutable.
 *
 * @param midPoints a typical mid price, in points
 * @param digits decimals quoted
 * @param pipPoints points in one pip (the unit traders quote spreads and moves in)
 * @param minSpreadPoints the narrowest spread, in points
 * @param maxSpreadPoints the widest spread, in points
 */
public record Quote(long midPoints, int digits, int pipPoints, int minSpreadPoints, int maxSpreadPoints) {

    /** Quotes of the symbols the demo and the load generator name ({@link SyntheticTicks#SYMBOLS}). */
    private static final Map<String, Quote> KNOWN = Map.ofEntries(
            Map.entry("EURUSD", new Quote(108_500, 5, 10, 6, 20)),
            Map.entry("GBPUSD", new Quote(127_000, 5, 10, 8, 25)),
            Map.entry("USDJPY", new Quote(150_000, 3, 10, 8, 25)),
            Map.entry("USDCHF", new Quote(88_000, 5, 10, 10, 30)),
            Map.entry("AUDUSD", new Quote(66_000, 5, 10, 8, 25)),
            Map.entry("USDCAD", new Quote(136_000, 5, 10, 10, 30)),
            Map.entry("NZDUSD", new Quote(61_000, 5, 10, 10, 35)),
            Map.entry("EURGBP", new Quote(85_500, 5, 10, 8, 25)),
            Map.entry("EURJPY", new Quote(163_000, 3, 10, 12, 35)),
            Map.entry("GBPJPY", new Quote(190_500, 3, 10, 20, 50)),
            Map.entry("XAUUSD", new Quote(200_000, 2, 10, 15, 40)),      // gold: 2000.00, pip 0.10
            Map.entry("XAGUSD", new Quote(24_000, 3, 10, 15, 35)),       // silver: 24.000, pip 0.010
            Map.entry("BTCUSD", new Quote(6_000_000, 2, 100, 1000, 4000)), // 60000.00, pip 1.00
            Map.entry("ETHUSD", new Quote(300_000, 2, 100, 100, 400)),   // 3000.00, pip 1.00
            Map.entry("US500", new Quote(500_000, 2, 10, 40, 80)),       // 5000.00, pip 0.10
            Map.entry("DE40", new Quote(180_000, 1, 10, 10, 25)));       // 18000.0, pip 1.0

    public Quote {
        if (midPoints <= 0 || digits < 0 || pipPoints <= 0 || minSpreadPoints <= 0 || maxSpreadPoints < minSpreadPoints) {
            throw new IllegalArgumentException("not a quote: " + midPoints + ", " + digits + ", " + pipPoints + ", "
                    + minSpreadPoints + ".." + maxSpreadPoints);
        }
    }

    /**
     * The quote of {@code symbol}: its own for the symbols in the table, else a currency pair
     * quoted like EURUSD (five decimals, pip 0.0001) whose mid, between 0.5 and 2.0, follows from
     * the symbol's name, so the same name always gets the same price.
     */
    public static Quote of(String symbol) {
        Quote known = KNOWN.get(symbol);
        if (known != null) {
            return known;
        }
        long offset = Integer.toUnsignedLong(mix(symbol.hashCode())) % 150_000; // 0.00000 .. 1.49999
        return new Quote(50_000 + offset, 5, 10, 8, 25);
    }

    /** Points in one unit of price, {@code 10^digits}: a price in points divided by it is the quoted number. */
    public double pointsPerUnit() {
        return Math.pow(10, digits);
    }

    /** Spreads the bits of a string hash, whose low bits differ little between similar names. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
