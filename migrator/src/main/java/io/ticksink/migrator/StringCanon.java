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

    Tick of(Tick tick) {
        String symbol = of(tick.symbol());
        String lp = of(tick.lpSource());
        String broker = of(tick.brokerId());
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
