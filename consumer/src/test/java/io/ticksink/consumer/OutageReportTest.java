package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutageReportTest {

    private static final long S = Duration.ofSeconds(1).toNanos();

    private final OutageReport report = new OutageReport("kafka-1:9092");

    @Test
    void theFirstUnansweredProbeIsReportedAtOnceWithTheAddressAndHowLong() {
        assertThat(report.unanswered(100 * S, 105 * S, "no answer within 5s")).contains(
                "cannot reach Kafka at kafka-1:9092 for 5s (no answer within 5s); still retrying, next report in 30s");
        assertThat(report.outage(110 * S)).contains(Duration.ofSeconds(10));
    }

    @Test
    void laterReportsComeAtDoublingGapsUpToTenMinutes() {
        List<Long> reportedAt = new ArrayList<>();
        for (long t = 0; t <= 3600; t += 5) {
            if (report.unanswered(t * S, t * S, "x").isPresent()) {
                reportedAt.add(t);
            }
        }
        // an hour of outage: ten lines, where each Kafka client alone would write thousands
        assertThat(reportedAt).containsExactly(0L, 30L, 90L, 210L, 450L, 930L, 1530L, 2130L, 2730L, 3330L);
    }

    @Test
    void theEndOfAnOutageIsReportedOnceAndANewOutageStartsAfresh() {
        report.unanswered(0, 5 * S, "x");
        report.unanswered(10 * S, 15 * S, "x");
        assertThat(report.answered(125 * S)).contains("Kafka at kafka-1:9092 answers again, after 2m5s");
        assertThat(report.answered(130 * S)).isEmpty();
        assertThat(report.outage(130 * S)).isEmpty();
        assertThat(report.unanswered(200 * S, 205 * S, "x")).map(l -> l.contains("for 5s")).contains(true);
    }

    @Test
    void lengthsReadAsMinutesAndHours() {
        assertThat(OutageReport.format(59 * S)).isEqualTo("59s");
        assertThat(OutageReport.format(120 * S)).isEqualTo("2m");
        assertThat(OutageReport.format(3600 * S + 61 * S)).isEqualTo("1h1m");
    }

    @Test
    void aKafkaThatAlwaysAnswersIsNeverReported() {
        assertThat(report.answered(0)).isEmpty();
        assertThat(report.outage(0)).isEqualTo(Optional.empty());
    }
}
