package io.ticksink.schema;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry policy of the product: what is being done, which failures are worth another
 * attempt, the backoff between attempts, and a bound (a number of attempts, a time, or
 * {@linkplain #forever forever}). Every failed attempt is logged with its delay; a failure that is
 * not retriable, or the last one allowed, is rethrown as it is, and a log line says what was being
 * done and after how many attempts it was given up.
 *
 * <p>Two ways to drive it: {@link #run} retries on the calling thread, sleeping between attempts
 * (a writer thread); {@link #attempts()} hands out the bookkeeping of one operation, for a caller
 * that must not block and schedules the next attempt itself (the consumer thread's offset commits).
 *
 * <p>Immutable and thread safe; an {@link Attempts} belongs to one operation and one thread.
 */
public final class Retry {

    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    /** An attempt of the operation. */
    @FunctionalInterface
    public interface Attempt<T, E extends Exception> {
        T run() throws E, InterruptedException;
    }

    /** Told of every failed attempt that is retried (metrics, readiness) and of a recovery. */
    public interface Listener {
        void retrying(int failures, Exception cause, Duration delay);

        default void recovered(int failures) {
        }
    }

    /** The operation was called off between two attempts ({@link #run}'s {@code cancelled} turned true). */
    public static final class Cancelled extends Exception {
        private static final long serialVersionUID = 1L;

        Cancelled(String action, Exception last) {
            super(action + " called off after a failed attempt", last);
        }
    }

    private static final Listener SILENT = (failures, cause, delay) -> { };

    private final String action;
    private final Predicate<? super Exception> retriable;
    private final Backoff backoff;
    private final int maxAttempts;
    private final long maxNanos;
    private final Listener listener;

    private Retry(String action, Predicate<? super Exception> retriable, Backoff backoff, int maxAttempts,
                  long maxNanos, Listener listener) {
        this.action = Objects.requireNonNull(action);
        this.retriable = Objects.requireNonNull(retriable);
        this.backoff = Objects.requireNonNull(backoff);
        this.maxAttempts = maxAttempts;
        this.maxNanos = maxNanos;
        this.listener = Objects.requireNonNull(listener);
    }

    /** Retries what {@code retriable} approves until it succeeds. */
    public static Retry forever(String action, Predicate<? super Exception> retriable, Backoff backoff) {
        return new Retry(action, retriable, backoff, 0, 0, SILENT);
    }

    /** Retries what {@code retriable} approves, {@code maxAttempts} attempts in all at most. */
    public static Retry upTo(int maxAttempts, String action, Predicate<? super Exception> retriable, Backoff backoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
        return new Retry(action, retriable, backoff, maxAttempts, 0, SILENT);
    }

    /** Retries what {@code retriable} approves while less than {@code within} has passed since the first attempt. */
    public static Retry within(Duration within, String action, Predicate<? super Exception> retriable, Backoff backoff) {
        if (within.isNegative()) {
            throw new IllegalArgumentException("a bound in time must not be negative");
        }
        return new Retry(action, retriable, backoff, 0, Math.max(1, within.toNanos()), SILENT);
    }

    /** The same policy, telling {@code listener} of its retries. */
    public Retry withListener(Listener listener) {
        return new Retry(action, retriable, backoff, maxAttempts, maxNanos, listener);
    }

    public String action() {
        return action;
    }

    /**
     * Runs {@code attempt} until it succeeds, retrying what the policy allows with the backoff's
     * delays. {@code cancelled} is asked after each failed attempt, before and after the sleep:
     * when true, the operation is called off with {@link Cancelled}. An interrupt ends the wait
     * with {@link InterruptedException}, never with a retry.
     */
    public <T, E extends Exception> T run(Attempt<T, E> attempt, BooleanSupplier cancelled)
            throws E, InterruptedException, Cancelled {
        Attempts attempts = attempts();
        while (true) {
            Duration delay;
            Exception last;
            try {
                T result = attempt.run();
                attempts.succeeded();
                return result;
            } catch (InterruptedException e) {
                throw e;
            } catch (RuntimeException e) {
                delay = attempts.failed(e);
                last = e;
            } catch (Exception e) {
                @SuppressWarnings("unchecked")
                E failure = (E) e; // Attempt.run throws no other checked exception
                delay = attempts.failed(failure);
                last = e;
            }
            if (cancelled.getAsBoolean()) {
                throw new Cancelled(action, last);
            }
            Thread.sleep(delay.toMillis()); // the backoff between attempts
            if (cancelled.getAsBoolean()) {
                throw new Cancelled(action, last);
            }
        }
    }

    /** Runs {@code attempt} as {@link #run(Attempt, BooleanSupplier)} does, never called off. */
    public <T, E extends Exception> T run(Attempt<T, E> attempt) throws E, InterruptedException {
        try {
            return run(attempt, () -> false);
        } catch (Cancelled e) {
            throw new AssertionError("an operation that is never called off was called off", e);
        }
    }

    /** The bookkeeping of one operation retried by a caller that schedules its own attempts. */
    public Attempts attempts() {
        return new Attempts();
    }

    /** The failed attempts of one operation so far. Not thread safe. */
    public final class Attempts {
        private final long startNanos = System.nanoTime();
        private int failures;

        private Attempts() {
        }

        /**
         * Records a failed attempt and returns the delay before the next one; rethrows
         * {@code failure} when it is not retriable or the policy's bound is reached.
         */
        public <E extends Exception> Duration failed(E failure) throws E {
            failures++;
            if (!retriable.test(failure)) {
                if (failures > 1) {
                    log.error("{}: giving up after {} attempts, this failure cannot be retried: {}", action, failures,
                            failure.toString());
                }
                throw failure;
            }
            Duration delay = backoff.delay(failures);
            boolean outOfAttempts = maxAttempts > 0 && failures >= maxAttempts;
            boolean outOfTime = maxNanos > 0 && System.nanoTime() + delay.toNanos() - startNanos >= maxNanos;
            if (outOfAttempts || outOfTime) {
                log.error("{}: giving up after {} attempts: {}", action, failures, failure.toString());
                throw failure;
            }
            log.warn("{}: attempt {} failed, retrying in {} ms: {}", action, failures, delay.toMillis(),
                    failure.getMessage() == null ? failure.toString() : failure.getMessage());
            listener.retrying(failures, failure, delay);
            return delay;
        }

        /** The operation succeeded: logs a recovery after failures, and starts counting afresh. */
        public void succeeded() {
            if (failures > 0) {
                log.info("{}: succeeded after {} failed attempts", action, failures);
                listener.recovered(failures);
            }
            failures = 0;
        }

        /** Failed attempts since the last success. */
        public int failures() {
            return failures;
        }
    }
}
