package io.ticksink.consumer.load;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Generates plausible JSON ticks keyed by symbol, for the demo, the load generator and
 * benchmarks. Timestamps advance by a fixed step from a start instant. Not thread safe.
 */
public final class SyntheticTicks {

    public static final String[] SYMBOLS = {
        "EURUSD", "GBPUSD", "USDJPY", "USDCHF", "AUDUSD", "USDCAD", "NZDUSD", "EURGBP",
        "EURJPY", "GBPJPY", "XAUUSD", "XAGUSD", "BTCUSD", "ETHUSD", "US500", "DE40"
    };

    private final SplittableRandom random;
    private final String[] symbols;
    private final long stepNanos;
    private long nextNanos;
    private long count;

    public SyntheticTicks(long seed, int symbolCount, Instant start, long stepNanos) {
        this.random = new SplittableRandom(seed);
        this.symbols = new String[symbolCount];
        for (int i = 0; i < symbolCount; i++) {
            symbols[i] = i < SYMBOLS.length ? SYMBOLS[i] : "SYM" + i;
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
        String symbol = nextSymbol();
        long nanos = nextNanos;
        nextNanos += stepNanos;
        count++;
        double mid = 1.0 + random.nextDouble();
        double spread = (1 + random.nextInt(20)) / 100_000.0;
        Instant ts = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        return "{\"symbol\":\"" + symbol + "\",\"bid\":" + round(mid) + ",\"ask\":" + round(mid + spread)
                + ",\"spread\":" + round(spread) + ",\"timestamp\":\"" + ts + "\",\"lp\":\"LP-" + (count % 3)
                + "\",\"broker_id\":\"BROKER-001\"}";
    }

    private static double round(double v) {
        return Math.round(v * 100_000.0) / 100_000.0;
    }

    public long count() {
        return count;
    }
}
