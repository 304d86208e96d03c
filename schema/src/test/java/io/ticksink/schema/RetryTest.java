package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(2), () -> 0.5);

    @Test
    void retriesForeverUntilTheOperationSucceedsAndTellsTheListenerOfEachRetryAndTheRecovery() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> retries = new ArrayList<>();
        AtomicInteger recoveredAfter = new AtomicInteger();
        Retry retry = Retry.forever("storing", e -> e instanceof IOException, FAST).withListener(new Retry.Listener() {
            @Override
            public void retrying(int failures, Exception cause, Duration delay) {
                retries.add(failures);
            }

            @Override
            public void recovered(int failures) {
                recoveredAfter.set(failures);
            }
        });

        String result = retry.run(() -> {
            if (calls.incrementAndGet() < 5) {
                throw new IOException("busy");
            }
            return "stored";
        }, () -> false);

        assertThat(result).isEqualTo("stored");
        assertThat(retries).containsExactly(1, 2, 3, 4);
        assertThat(recoveredAfter.get()).isEqualTo(4);
    }

    @Test
    void aFailureThePolicyDoesNotApproveIsRethrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = Retry.forever("storing", e -> e instanceof IOException, FAST);
        assertThatThrownBy(() -> retry.run(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("corrupt");
        }, () -> false)).isInstanceOf(IllegalStateException.class).hasMessage("corrupt");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aBoundedPolicyRethrowsTheLastFailureAfterItsLastAttempt() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = Retry.upTo(3, "committing", e -> true, FAST);
        assertThatThrownBy(() -> retry.run(() -> {
            throw new IOException("attempt " + calls.incrementAndGet());
        }, () -> false)).isInstanceOf(IOException.class).hasMessage("attempt 3");
    }

    @Test
    void aPolicyBoundInTimeGivesUpOnceItsTimeIsSpent() {
        Backoff slow = new Backoff(Duration.ofMillis(40), Duration.ofMillis(40), () -> 1.0);
        Retry retry = Retry.within(Duration.ofMillis(100), "loading", e -> true, slow);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run(() -> {
            calls.incrementAndGet();
            throw new IOException("busy");
        }, () -> false)).isInstanceOf(IOException.class);
        assertThat(calls.get()).isBetween(2, 3);
    }

    @Test
    void anOperationCalledOffBetweenAttemptsEndsWithCancelledCarryingTheLastFailure() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = Retry.forever("storing", e -> true, FAST);
        assertThatThrownBy(() -> retry.run(() -> {
            throw new IOException("attempt " + calls.incrementAndGet());
        }, () -> calls.get() >= 2)).isInstanceOf(Retry.Cancelled.class).hasMessageContaining("storing")
                .cause().hasMessage("attempt 2");
    }

    @Test
    void anInterruptDuringTheBackoffEndsTheRetriesWithInterruptedException() {
        Retry retry = Retry.forever("storing", e -> true, new Backoff(Duration.ofSeconds(60), Duration.ofSeconds(60)));
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retry.run(() -> {
                throw new IOException("busy");
            }, () -> false)).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void attemptsScheduledByTheCallerGetTheBackoffsDelaysAndStartAfreshAfterASuccess() throws Exception {
        Retry retry = Retry.forever("committing", e -> true, new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), () -> 1.0));
        Retry.Attempts attempts = retry.attempts();
        assertThat(attempts.failed(new IOException("a"))).isEqualTo(Duration.ofMillis(100));
        assertThat(attempts.failed(new IOException("b"))).isEqualTo(Duration.ofMillis(200));
        attempts.succeeded();
        assertThat(attempts.failures()).isZero();
        assertThat(attempts.failed(new IOException("c"))).isEqualTo(Duration.ofMillis(100));
    }
}
