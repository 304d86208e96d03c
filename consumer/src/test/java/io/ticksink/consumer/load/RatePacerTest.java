package io.ticksink.consumer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RatePacerTest {

    private static final long MS = 1_000_000L;
    private static final long BURST = 1_000 * MS;

    @Test
    void theIthRecordIsDueIOverRateSecondsAfterTheStart() {
        RatePacer pacer = new RatePacer(1000, BURST, 0); // one per millisecond
        assertThat(pacer.nanosUntilNext(0)).isZero();
        pacer.sent();
        assertThat(pacer.nanosUntilNext(0)).isEqualTo(MS);
        assertThat(pacer.nanosUntilNext(MS / 4)).isEqualTo(3 * MS / 4);
        assertThat(pacer.nanosUntilNext(MS)).isZero();
        pacer.sent();
        pacer.sent();
        assertThat(pacer.nanosUntilNext(MS)).isEqualTo(2 * MS);
    }

    @Test
    void aShortStallIsCaughtUpSoTheLongRunRateHolds() {
        RatePacer pacer = new RatePacer(1000, BURST, 0);
        long now = 500 * MS; // stalled half a second before the first send
        int sentAtOnce = 0;
        while (pacer.nanosUntilNext(now) == 0) {
            pacer.sent();
            sentAtOnce++;
        }
        assertThat(sentAtOnce).isEqualTo(501); // records 0..500 were all due by 500 ms
        assertThat(pacer.nanosUntilNext(now)).isEqualTo(MS);
    }

    @Test
    void aStallLongerThanTheBurstLimitRestartsTheScheduleInsteadOfFlooding() {
        RatePacer pacer = new RatePacer(1000, BURST, 0);
        pacer.sent();
        long now = 5_000 * MS; // a five-second outage
        assertThat(pacer.nanosUntilNext(now)).isZero();
        pacer.sent();
        assertThat(pacer.nanosUntilNext(now)).isEqualTo(MS);
    }

    @Test
    void overAWholeSecondTheRateIsExact() {
        RatePacer pacer = new RatePacer(3000, BURST, 0);
        long now = 0;
        int sent = 0;
        while (now < 1_000 * MS) {
            long wait = pacer.nanosUntilNext(now);
            if (wait == 0) {
                pacer.sent();
                sent++;
            } else {
                now += wait;
            }
        }
        assertThat(sent).isEqualTo(3000);
    }

    @Test
    void anUnlimitedPacerNeverWaits() {
        RatePacer pacer = RatePacer.unlimited();
        for (int i = 0; i < 1000; i++) {
            assertThat(pacer.nanosUntilNext(0)).isZero();
            pacer.sent();
        }
    }

    @Test
    void aNegativeRateIsRejected() {
        assertThatThrownBy(() -> new RatePacer(-1, BURST, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
