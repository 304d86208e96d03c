package io.ticksink.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --busy-timeout DURATION} (default 5s): how long SQLite waits for another connection's
 * lock on a day file before the attempt fails. What follows a failed attempt (a retry with
 * backoff, a day reported skipped) is the command's to say in its own documentation. A mixin:
 * {@code @Mixin BusyTimeoutOption busy}.
 */
public final class BusyTimeoutOption {

    @Option(names = "--busy-timeout", defaultValue = "5s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long SQLite waits for another connection's lock on a day file (a live writer's) "
                    + "before the attempt fails (default: ${DEFAULT-VALUE}).")
    public Duration busyTimeout;
}
