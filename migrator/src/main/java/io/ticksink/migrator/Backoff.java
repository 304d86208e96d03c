package io.ticksink.migrator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with equal jitter for retrying a write another process holds up: attempt
 * {@code n} waits a random time between half and all of {@code min(max, initial * 2^n)}, so retrying writers do not
 * collide again in step. Pure, thread safe.
 */
record Backoff(Duration initial, Duration max) {

    /** The ceiling of the delay before attempt {@code attempt} (0 = first retry). */
    long ceilingMillis(int attempt) {
        long ceiling = initial.toMillis() << Math.min(attempt, 20);
        return Math.max(1, Math.min(ceiling, max.toMillis()));
    }

    /** A random delay in [ceiling/2, ceiling]: never zero, so a retry always lets the other writer in. */
    long delayMillis(int attempt) {
        long ceiling = ceilingMillis(attempt);
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling - ceiling / 2 + 1);
    }
}
