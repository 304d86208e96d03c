package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PureLogicTest {

    @Test
    void instantsReadEpochMillisRfc3339AndDates() {
        assertThat(Instants.parse("1768817730123")).isEqualTo(1768817730123L);
        assertThat(Instants.parse("2026-01-19T10:15:30.123+01:00")).isEqualTo(Instant.parse("2026-01-19T09:15:30.123Z").toEpochMilli());
        assertThat(Instants.parse("2026-01-19")).isEqualTo(Instant.parse("2026-01-19T00:00:00Z").toEpochMilli());
        assertThat(Instants.print(Instant.parse("2026-01-19T09:15:30Z").toEpochMilli())).isEqualTo("2026-01-19T09:15:30.000Z");
    }

    @Test
    void aDayIsClosedOnceItEndedAtLeastTheThresholdAgo() {
        ClosedDays closed = new ClosedDays(Instant.parse("2026-03-01T12:00:00Z"), Duration.ofDays(1));

        assertThat(closed.isClosed(LocalDate.parse("2026-02-27"))).isTrue();
        assertThat(closed.isClosed(LocalDate.parse("2026-02-28"))).isFalse();
        assertThat(new ClosedDays(Instant.parse("2026-03-01T00:00:00Z"), Duration.ofDays(1))
                .isClosed(LocalDate.parse("2026-02-27"))).isTrue();
        assertThat(new ClosedDays(Instant.parse("2026-03-01T06:00:00Z"), Duration.ofHours(6))
                .isClosed(LocalDate.parse("2026-02-28"))).isTrue();
    }

    @Test
    void symbolStatsCountGapsAboveTheThresholdAndTheLargest() {
        SymbolDayStats stats = new SymbolDayStats("EURUSD", 1000);
        stats.add(0, 1.0);
        stats.add(1000, 2.0);  // equal to the threshold: not a gap
        stats.add(2001, 3.0);  // 1001 ms: a gap
        stats.add(5000, 2.0);  // 2999 ms: a gap, the largest

        assertThat(stats.count()).isEqualTo(4);
        assertThat(stats.gaps()).isEqualTo(2);
        assertThat(stats.maxGapMillis()).isEqualTo(2999);
        assertThat(stats.averageSpread()).isEqualTo(2.0);
        assertThat(stats.csvRow("1970-01-01")).isEqualTo(
                "1970-01-01,EURUSD,4,1970-01-01T00:00:00.000Z,1970-01-01T00:00:05.000Z,2,2,2999");
    }
}
