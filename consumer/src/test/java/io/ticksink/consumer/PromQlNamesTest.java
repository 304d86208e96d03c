package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void functionsAggregationsGroupingLabelsAndRangesAreNotMetricNames() {
        assertThat(PromQlNames.metricNames(
                "sum by (instance, reason) (rate(ticksink_dead_letters_total{job=~\".*ticksink.*\", reason!=\"x\"}[5m])) > 0"))
                .containsExactly("ticksink_dead_letters_total");
    }

    @Test
    void bothSidesOfABinaryOperationAreRead() {
        assertThat(PromQlNames.metricNames("max by (instance) (ticksink_last_commit_age_seconds) > 300 "
                + "and on (instance) sum by (instance) (ticksink_consumer_lag) > 0"))
                .containsExactlyInAnyOrder("ticksink_last_commit_age_seconds", "ticksink_consumer_lag");
        assertThat(PromQlNames.metricNames("sum(rate(a_total[1h])) / ignoring (le) group_left (x) sum(b_count) unless c"))
                .containsExactlyInAnyOrder("a_total", "b_count", "c");
    }

    @Test
    void histogramSuffixesAreKeptAsTheyAreSelected() {
        assertThat(PromQlNames.metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(ticksink_commit_latency_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"))
                .containsExactly("ticksink_commit_latency_seconds_bucket");
    }

    @Test
    void stringsNumbersModifiersAndGrafanaVariablesAreSkipped() {
        assertThat(PromQlNames.metricNames("label_replace(up{job=\"a{b}\"} offset 5m, \"dst\", \"$1\", \"src\", \"(.*)\") "
                + "* 1e3 + 0.5 + 0x1F > bool $threshold + Inf"))
                .containsExactly("up");
        assertThat(PromQlNames.metricNames("time() - process_start_time_seconds @ 1700000000"))
                .containsExactly("process_start_time_seconds");
        assertThat(PromQlNames.metricNames("max_over_time(deriv(ticksink_consumer_lag[15m])[1h:1m])"))
                .containsExactly("ticksink_consumer_lag");
        assertThat(PromQlNames.metricNames("system_load_average_1m")).containsExactly("system_load_average_1m");
    }

    @Test
    void aSelectionByNameIsRefusedRatherThanMissed() {
        assertThatThrownBy(() -> PromQlNames.metricNames("{__name__=~\"ticksink_.*\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__name__");
    }

    @Test
    void aVariableReadsTheSelectorOfLabelValues() {
        assertThat(PromQlNames.variableMetricNames("label_values(ticksink_consumer_lag{instance=~\"$instance\"}, partition)"))
                .containsExactly("ticksink_consumer_lag");
        assertThat(PromQlNames.variableMetricNames("label_values(job)")).isEmpty();
        assertThat(PromQlNames.variableMetricNames("query_result(topk(3, ticksink_consumer_lag))"))
                .containsExactly("ticksink_consumer_lag");
    }

    @Test
    void theSampleNamesOfAPageAreReadWithoutTheirLabelsAndComments() {
        String page = """
                # HELP ticksink_batch_write_seconds Time to write one batch into SQLite
                # TYPE ticksink_batch_write_seconds histogram
                ticksink_batch_write_seconds_bucket{le="0.001"} 0
                ticksink_batch_write_seconds_count 3
                ticksink_batch_write_seconds_sum 0.2
                ticksink_ready 1.0
                """;

        assertThat(PromQlNames.exposedSampleNames(page)).containsExactlyInAnyOrder("ticksink_batch_write_seconds_bucket",
                "ticksink_batch_write_seconds_count", "ticksink_batch_write_seconds_sum", "ticksink_ready");
    }

    @Test
    void aNameThatIsNotExposedIsReportedWithItsQueryAndUpIsPrometheusOwn() {
        Set<String> exposed = Set.of("ticksink_ticks_stored_total", "ticksink_ready");
        Map<String, Set<String>> read = Map.of(
                "good", PromQlNames.metricNames("rate(ticksink_ticks_stored_total[5m])"),
                "misspelt", PromQlNames.metricNames("rate(ticksink_tick_stored_total[5m]) + ticksink_ready"),
                "scrape", PromQlNames.metricNames("up{job=\"ticksink\"} == 0"));

        assertThat(PromQlNames.unknownNames(read, exposed)).containsOnly(Map.entry("misspelt", Set.of("ticksink_tick_stored_total")));
    }
}
