package io.ticksink.consumer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for the crash tests: {@code -Dticksink.fault=after-day-commit:N} halts the JVM
 * right after the Nth day-file commit, {@code -Dticksink.fault=before-offset-commit:N} right
 * before the Nth Kafka offset commit. Halting skips every shutdown hook, as a kill -9 does.
 * Off unless the property is set.
 */
final class Faults {

    static final int HALT_STATUS = 137;

    private final String point;
    private final int at;
    private final AtomicInteger count = new AtomicInteger();

    private Faults(String point, int at) {
        this.point = point;
        this.at = at;
    }

    static Faults fromSystemProperty() {
        String spec = System.getProperty("ticksink.fault", "");
        int colon = spec.indexOf(':');
        if (colon < 0) {
            return new Faults("", 0);
        }
        return new Faults(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
    }

    void afterDayCommit() {
        hit("after-day-commit");
    }

    void beforeOffsetCommit() {
        hit("before-offset-commit");
    }

    private void hit(String here) {
        if (point.equals(here) && count.incrementAndGet() == at) {
            System.err.println("ticksink: fault injected at " + here + ":" + at + ", halting");
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
