package io.ticksink.migrator;

import io.ticksink.schema.Tick;
import java.util.HashMap;
import java.util.Map;

/**
 * Shares one String instance among ticks that carry the same symbol, liquidity provider or
 * broker. A tick waiting to be written then costs about 70 bytes instead of about 220, which is
 * what keeps a run inside a small heap. The cache is bounded: past {@link #MAX_ENTRIES} distinct
 * values it starts over.
 *
 * <p>Not thread safe: one per parsing thread.
 */
final class StringCanon {

    static final int MAX_ENTRIES = 4096;

    private final Map<String, String> values = new HashMap<>();
    // consecutive records mostly repeat these: an equals() on a short string is cheaper than a lookup
    private String lastSymbol;
    private String lastLp;
    private String lastBroker;

    Tick of(Tick tick) {
        String symbol = tick.symbol().equals(lastSymbol) ? lastSymbol : (lastSymbol = of(tick.symbol()));
        String lp = tick.lpSource() != null && tick.lpSource().equals(lastLp) ? lastLp : (lastLp = of(tick.lpSource()));
        String broker = tick.brokerId() != null && tick.brokerId().equals(lastBroker)
                ? lastBroker : (lastBroker = of(tick.brokerId()));
        if (symbol == tick.symbol() && lp == tick.lpSource() && broker == tick.brokerId()) {
            return tick;
        }
        return new Tick(symbol, tick.timestampMillis(), tick.bid(), tick.ask(), tick.spread(), lp, broker);
    }

    String of(String value) {
        if (value == null) {
            return null;
        }
        String shared = values.putIfAbsent(value, value);
        if (shared != null) {
            return shared;
        }
        if (values.size() > MAX_ENTRIES) {
            values.clear();
        }
        return value;
    }
}
