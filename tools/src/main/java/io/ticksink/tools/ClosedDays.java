package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Which days maintenance may touch: a day is closed once it ended (UTC midnight) at least
 * {@code olderThan} ago, which leaves late ticks of a day time to arrive. With {@code 1d}, the
 * day before yesterday is closed from midnight on; yesterday is not. Pure, thread safe.
 */
final class ClosedDays {

    private final Instant now;
    private final Duration olderThan;

    ClosedDays(Instant now, Duration olderThan) {
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("--older-than must not be negative");
        }
        this.now = now;
        this.olderThan = olderThan;
    }

    boolean isClosed(LocalDate day) {
        long end = DayFiles.startMillis(day.plusDays(1));
        return end + olderThan.toMillis() <= now.toEpochMilli();
    }
}
