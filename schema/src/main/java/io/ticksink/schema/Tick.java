package io.ticksink.schema;

import java.time.Instant;
import java.util.Objects;

/**
 * One market tick, as stored: a quote of {@code symbol} at {@code timestampMillis} (Unix epoch
 * milliseconds, UTC). Instances are immutable and validated by {@link TickDecoder}; the
 * constructor only guards against nulls.
 *
 * @param symbol instrument, 1..64 characters without control characters
 * @param timestampMillis event time in Unix epoch milliseconds (UTC)
 * @param bid finite bid price
 * @param ask finite ask price
 * @param spread finite spread, {@code ask - bid} when the source gives none
 * @param lpSource liquidity provider, or {@code null}
 * @param brokerId broker, or {@code null}
 */
public record Tick(
        String symbol,
        long timestampMillis,
        double bid,
        double ask,
        double spread,
        String lpSource,
        String brokerId) {

    public Tick {
        Objects.requireNonNull(symbol, "symbol");
    }

    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }
}
