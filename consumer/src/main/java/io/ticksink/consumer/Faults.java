package io.ticksink.consumer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for the crash tests, off unless a system property sets it. Points: {@code
 * before-day-write} (the writer has a batch and is about to write a day file), {@code
 * after-day-commit} (a day file's transaction is committed, its offsets are not), {@code
 * before-dead-letter-commit} (a batch's dead letters are sent in a transaction, acknowledged and not
 * committed) and {@code before-offset-commit}.
 * <ul>
 * <li>{@code -Dticksink.fault=<point>:N} halts the JVM at the Nth time the point is reached.
 *     Halting skips every shutdown hook, as a kill -9 does.
 * <li>{@code -Dticksink.fault=<point>:hold -Dticksink.fault.dir=DIR} holds the thread that
 *     reaches the point, once, after the file {@code DIR/arm} exists: it prints {@code ticksink:
 *     fault holding at <point>} and waits until {@code DIR/release} exists. A test freezes
 *     (SIGSTOP) or kills (SIGKILL) the process while it holds, at exactly that point.
 * </ul>
 */
final class Faults {

    static final int HALT_STATUS = 137;
    static final String HOLDING = "ticksink: fault holding at ";

    private final String point;
    private final int at;
    private final Path dir;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean held = new AtomicBoolean();

    private Faults(String point, int at, Path dir) {
        this.point = point;
        this.at = at;
        this.dir = dir;
    }

    static Faults fromSystemProperty() {
        String spec = System.getProperty("ticksink.fault", "");
        int colon = spec.indexOf(':');
        if (colon < 0) {
            return new Faults("", 0, null);
        }
        String point = spec.substring(0, colon);
        String when = spec.substring(colon + 1);
        if (when.equals("hold")) {
            String dir = System.getProperty("ticksink.fault.dir");
            if (dir == null) {
                throw new IllegalArgumentException("-Dticksink.fault=" + spec + " needs -Dticksink.fault.dir");
            }
            return new Faults(point, 0, Path.of(dir));
        }
        return new Faults(point, Integer.parseInt(when), null);
    }

    void beforeDayWrite() {
        hit("before-day-write");
    }

    void afterDayCommit() {
        hit("after-day-commit");
    }

    void beforeDeadLetterCommit() {
        hit("before-dead-letter-commit");
    }

    void beforeOffsetCommit() {
        hit("before-offset-commit");
    }

    private void hit(String here) {
        if (!point.equals(here)) {
            return;
        }
        if (dir != null) {
            hold(here);
        } else if (count.incrementAndGet() == at) {
            System.err.println("ticksink: fault injected at " + here + ":" + at + ", halting");
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    private void hold(String here) {
        if (!Files.exists(dir.resolve("arm")) || held.getAndSet(true)) {
            return;
        }
        System.err.println(HOLDING + here);
        System.err.flush();
        try {
            while (!Files.exists(dir.resolve("release"))) {
                TimeUnit.MILLISECONDS.sleep(20); // a test hook: polling a file keeps it free of any wiring
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("ticksink: fault released at " + here);
        System.err.flush();
    }
}
