package io.ticksink.schema;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the delay before retry {@code n} (1-based) is drawn uniformly
 * from [cap/2, cap], where cap = min(max, initial * 2^(n-1)). The floor of half the cap keeps the
 * schedule exponential; the jitter keeps consumers that failed together from retrying together.
 *
 * <p>Shared by every writer that retries: the consumer's batch writes, the migrator's day writers.
 * Pure and thread safe.
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff must not be below the initial backoff");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    public Backoff(Duration initial, Duration max) {
        this(initial, max, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }

    /** The ceiling of the delay before retry {@code attempt} (1-based), without jitter. */
    public long capMillis(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1");
        }
        int shift = Math.min(attempt - 1, 62);
        long cap = initialMillis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : initialMillis << shift;
        return Math.min(cap, maxMillis);
    }

    /** The delay before retry {@code attempt} (1-based), jittered within [cap/2, cap]. */
    public Duration delay(int attempt) {
        long cap = capMillis(attempt);
        long half = cap / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (cap - half)));
    }
}
