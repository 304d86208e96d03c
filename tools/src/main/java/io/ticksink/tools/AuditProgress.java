package io.ticksink.tools;

import java.io.PrintWriter;
import org.apache.kafka.common.TopicPartition;

/**
 * The audit's progress line on stderr, rewritten in place at most four times a second, when the
 * process runs on a terminal (as {@code merge} shows its day); nothing otherwise, so logs and
 * pipes get no control characters. Not thread safe.
 */
final class AuditProgress {

    private static final long EVERY_NANOS = 250_000_000L;
    private final PrintWriter err;
    private final boolean terminal;
    private long last;
    private boolean shown;

    AuditProgress(PrintWriter err) {
        this(err, System.console() != null);
    }

    AuditProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Shows a line now. */
    void say(String line) {
        if (terminal) {
            err.print("\r\033[K" + line);
            err.flush();
            shown = true;
            last = System.nanoTime();
        }
    }

    /** Shows a line unless one was shown within the last quarter second. */
    void update(String line) {
        if (terminal && System.nanoTime() - last >= EVERY_NANOS) {
            say(line);
        }
    }

    /** Where the audit of a partition's {@code [from, to)} stands: at offset {@code at}. */
    void update(TopicPartition tp, long from, long at, long to) {
        if (terminal && System.nanoTime() - last >= EVERY_NANOS) {
            long size = Math.max(1, to - from);
            say("auditing " + tp + ": offset " + at + " of " + to + " (" + (100 * (at - from) / size) + "%)");
        }
    }

    /** Removes the line, before the summary is printed. */
    void clear() {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
