package io.ticksink.cli;

/**
 * The exit codes of every ticksink command: the consumer, its {@code loadgen}, the migrator and
 * the tools. A code means the same thing whichever jar returns it, so a supervisor (systemd, a
 * Kubernetes job, cron) can act on it without knowing which program ran:
 *
 * <ul>
 *   <li>{@value #OK}: done.
 *   <li>{@value #PROBLEM}: the command ran to its end, but found a problem or left something
 *       undone; its output says what (tools: a problem found or a day not handled; migrator:
 *       records or files rejected; loadgen: ticks not acknowledged). Running it again is safe.
 *   <li>{@value #USAGE}: a bad command line or configuration value (picocli's code); nothing
 *       was done. Restarting with the same settings cannot help.
 *   <li>{@value #UNCOMMITTED}: the consumer stopped at its shutdown deadline with a write
 *       still failing; what it had not committed is read again on the next start. The JVM's own
 *       status for {@code -XX:+ExitOnOutOfMemoryError} is the same code, with the same meaning.
 *   <li>{@value #VERIFY_FAILED}: the migrator's {@code --verify} found counts that differ.
 *   <li>{@value #FATAL}: stopped by a condition retrying cannot fix (a corrupt day file, a
 *       newer schema version, a start that cannot succeed); the message says which and an
 *       operator is needed.
 * </ul>
 */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int PROBLEM = 1;
    public static final int USAGE = 2;
    public static final int UNCOMMITTED = 3;
    public static final int VERIFY_FAILED = 4;
    public static final int FATAL = 5;

    private ExitCodes() {
    }
}
