package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));

    @Test
    void theCeilingDoublesFromTheInitialDelayUpToTheMaximum() {
        assertThat(backoff.capMillis(1)).isEqualTo(100);
        assertThat(backoff.capMillis(2)).isEqualTo(200);
        assertThat(backoff.capMillis(3)).isEqualTo(400);
        assertThat(backoff.capMillis(9)).isEqualTo(25_600);
        assertThat(backoff.capMillis(10)).isEqualTo(30_000);
        assertThat(backoff.capMillis(1_000)).isEqualTo(30_000);
        assertThat(backoff.capMillis(Integer.MAX_VALUE)).isEqualTo(30_000);
    }

    @Test
    void jitterStaysBetweenHalfTheCeilingAndTheCeiling() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), () -> 0.999_999);
        assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(high.delay(1)).isEqualTo(Duration.ofMillis(99));
        assertThat(low.delay(20)).isEqualTo(Duration.ofMillis(15_000));
        assertThat(high.delay(20)).isEqualTo(Duration.ofMillis(29_999));
        for (int attempt = 1; attempt < 40; attempt++) {
            Duration d = backoff.delay(attempt);
            assertThat(d.toMillis()).isBetween(backoff.capMillis(attempt) / 2, backoff.capMillis(attempt));
        }
    }

    @Test
    void aMaximumBelowTheInitialDelayIsRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backoff.capMillis(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
