package io.ticksink.consumer.load;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Generates plausible JSON ticks keyed by symbol, for the demo, the load generator and
 * benchmarks. Symbols are taken in turn; each one's prices wander around its own typical mid
 * ({@link Quote}: EURUSD near 1.08500, USDJPY near 150.000, XAUUSD near 2000.00) in steps of a
 * fraction of a pip, drawn back towards that mid, with a spread of a few pips. Bid, ask and spread
 * are whole points, so ask is bid plus spread in the decimals quoted. Timestamps advance by a
 * fixed step from a start instant. The same seed, symbol count, start and step always give the
 * same ticks.
 *
 * <p>Not thread safe. Generating a tick allocates only the JSON text it returns.
 */
public final class SyntheticTicks {

    public static final String[] SYMBOLS = {
        "EURUSD", "GBPUSD", "USDJPY", "USDCHF", "AUDUSD", "USDCAD", "NZDUSD", "EURGBP",
        "EURJPY", "GBPJPY", "XAUUSD", "XAGUSD", "BTCUSD", "ETHUSD", "US500", "DE40"
    };

    /** How far a mid is drawn back towards its symbol's typical mid per tick: 1/1000 of the gap. */
    private static final long REVERSION = 1000;

    private final SplittableRandom random;
    private final String[] symbols;
    private final Quote[] quotes;
    /** Per symbol: 10^digits, to turn points into the quoted number. */
    private final double[] pointsPerUnit;
    /** Per symbol: the current mid, in points. */
    private final long[] mids;
    private final long stepNanos;
    private long nextNanos;
    private long count;

    public SyntheticTicks(long seed, int symbolCount, Instant start, long stepNanos) {
        this.random = new SplittableRandom(seed);
        this.symbols = new String[symbolCount];
        this.quotes = new Quote[symbolCount];
        this.pointsPerUnit = new double[symbolCount];
        this.mids = new long[symbolCount];
        for (int i = 0; i < symbolCount; i++) {
            symbols[i] = i < SYMBOLS.length ? SYMBOLS[i] : "SYM" + i;
            quotes[i] = Quote.of(symbols[i]);
            pointsPerUnit[i] = quotes[i].pointsPerUnit();
            mids[i] = quotes[i].midPoints();
        }
        this.nextNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        this.stepNanos = stepNanos;
    }

    /** The symbol of the next tick: the Kafka record key. */
    public String nextSymbol() {
        return symbols[(int) (count % symbols.length)];
    }

    /** The next tick as JSON; call {@link #nextSymbol()} first for its key. */
    public String next() {
        int i = (int) (count % symbols.length);
        Quote quote = quotes[i];
        long nanos = nextNanos;
        nextNanos += stepNanos;
        count++;
        // a step of up to half a pip either way, and a pull back towards the typical mid
        int halfPip = Math.max(1, quote.pipPoints() / 2);
        long mid = mids[i] + random.nextInt(-halfPip, halfPip + 1) - (mids[i] - quote.midPoints()) / REVERSION;
        mids[i] = mid;
        long spread = random.nextInt(quote.minSpreadPoints(), quote.maxSpreadPoints() + 1);
        long bid = mid - spread / 2;
        double scale = pointsPerUnit[i];
        Instant ts = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        return "{\"symbol\":\"" + symbols[i] + "\",\"bid\":" + bid / scale + ",\"ask\":" + (bid + spread) / scale
                + ",\"spread\":" + spread / scale + ",\"timestamp\":\"" + ts + "\",\"lp\":\"LP-" + (count % 3)
                + "\",\"broker_id\":\"BROKER-001\"}";
    }

    public long count() {
        return count;
    }
}
