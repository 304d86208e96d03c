package io.ticksink.consumer;

import java.time.Duration;
import java.util.Optional;

/**
 * What ticksink says, and when, while Kafka does not answer. It says so at the first unanswered
 * probe, then after 30 s, 1 min, 2 min and so on, doubling the gap up to every
 * {@value #MAX_GAP_MINUTES} minutes. It says once that Kafka answers again. Each line names the
 * address and how long the outage has lasted. Pure logic over the caller's clock (nanoseconds);
 * not thread safe.
 */
final class OutageReport {

    static final Duration FIRST_GAP = Duration.ofSeconds(30);
    static final long MAX_GAP_MINUTES = 10;
    private static final long MAX_GAP_NANOS = Duration.ofMinutes(MAX_GAP_MINUTES).toNanos();

    private final String address;
    private boolean inOutage;
    /** When the first unanswered probe of this outage was sent. */
    private long sinceNanos;
    private long nextReportNanos;
    private long gapNanos;

    OutageReport(String address) {
        this.address = address;
    }

    /**
     * A probe sent at {@code sentNanos} got no answer by {@code nowNanos} ({@code why}); returns the
     * line to log now, when one is due.
     */
    Optional<String> unanswered(long sentNanos, long nowNanos, String why) {
        if (!inOutage) {
            inOutage = true;
            sinceNanos = sentNanos;
            gapNanos = FIRST_GAP.toNanos();
            nextReportNanos = nowNanos + gapNanos;
            return Optional.of(line(nowNanos, why));
        }
        if (nowNanos - nextReportNanos < 0) {
            return Optional.empty();
        }
        gapNanos = Math.min(gapNanos * 2, MAX_GAP_NANOS);
        nextReportNanos = nowNanos + gapNanos;
        return Optional.of(line(nowNanos, why));
    }

    /** Kafka answered at {@code nowNanos}; returns a line when that ends an outage. */
    Optional<String> answered(long nowNanos) {
        if (!inOutage) {
            return Optional.empty();
        }
        inOutage = false;
        return Optional.of("Kafka at " + address + " answers again, after " + format(nowNanos - sinceNanos));
    }

    /** How long Kafka has not answered, or empty when it answers. */
    Optional<Duration> outage(long nowNanos) {
        return inOutage ? Optional.of(Duration.ofNanos(nowNanos - sinceNanos)) : Optional.empty();
    }

    String address() {
        return address;
    }

    private String line(long nowNanos, String why) {
        return "cannot reach Kafka at " + address + " for " + format(nowNanos - sinceNanos) + " (" + why
                + "); still retrying, next report in " + format(gapNanos);
    }

    /** A length of time to the second, as {@code 45s}, {@code 2m5s} or {@code 1h30m}. */
    static String format(long nanos) {
        long s = Duration.ofNanos(Math.max(0, nanos)).toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
    }
}
