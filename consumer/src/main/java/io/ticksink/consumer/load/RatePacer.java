package io.ticksink.consumer.load;

/**
 * When the next record of a paced stream is due: record {@code i} is due {@code i / rate}
 * seconds after the start, so short stalls (a full producer buffer, a GC pause) are caught up
 * and the long-run rate holds. A stall longer than {@code maxBurstNanos} is not caught up in one
 * burst: the schedule restarts from now, so a producer recovering from a broker outage does not
 * flood it. Pure: the caller passes the clock. Not thread safe.
 */
public final class RatePacer {

    private final double nanosPerRecord;
    private final long maxBurstNanos;
    private long startNanos;
    private long scheduled;

    /**
     * @param ratePerSecond records per second; {@code 0} means unlimited (never waits)
     * @param maxBurstNanos how far behind the schedule may fall before it restarts
     */
    public RatePacer(double ratePerSecond, long maxBurstNanos, long startNanos) {
        if (ratePerSecond < 0 || Double.isNaN(ratePerSecond) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number >= 0, is " + ratePerSecond);
        }
        this.nanosPerRecord = ratePerSecond == 0 ? 0 : 1e9 / ratePerSecond;
        this.maxBurstNanos = maxBurstNanos;
        this.startNanos = startNanos;
    }

    public static RatePacer unlimited() {
        return new RatePacer(0, 0, 0);
    }

    /** Nanoseconds to wait before the next record may be sent; 0 when it is due now. */
    public long nanosUntilNext(long nowNanos) {
        if (nanosPerRecord == 0) {
            return 0;
        }
        long due = startNanos + (long) (scheduled * nanosPerRecord);
        long behind = nowNanos - due;
        if (behind > maxBurstNanos) {
            startNanos = nowNanos;
            scheduled = 0;
            return 0;
        }
        return Math.max(0, -behind);
    }

    /** Counts one record as sent. */
    public void sent() {
        scheduled++;
    }
}
