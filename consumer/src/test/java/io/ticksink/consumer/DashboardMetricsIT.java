package io.ticksink.consumer;

import static io.ticksink.consumer.TestTicks.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard and the alert rules in {@code deploy/} read is one a real
 * consumer exposes on {@code /metrics}, read after it has stored ticks and dead-lettered a record
 * against a real broker (so the labelled series exist), and a misspelt name is caught.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardMetricsIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final KafkaTestCluster kafka = KafkaTestCluster.get();
    private final Path deploy = MonitoringFiles.deployDir();

    /** The sample names of the consumer's /metrics page once every name the files read appeared. */
    private Set<String> exposed;

    @BeforeAll
    void aConsumerStoresTicksAndDeadLettersARecord(@TempDir Path dataDir) throws Exception {
        String topic = kafka.createTopic("dashboard", 2);
        String dlq = topic + ".dlq";
        kafka.createTopic(dlq, 1);
        kafka.produce(topic, List.of(
                record("EURUSD", "2026-01-19T10:00:00Z", 1.1, 1.2),
                record("GBPUSD", "2026-01-19T10:00:01Z", 1.3, 1.4),
                Map.entry("EURUSD", "not json at all"),
                record("EURUSD", "2026-01-19T10:00:02Z", 1.1, 1.2)));
        Map<String, Set<String>> read = new LinkedHashMap<>(MonitoringFiles.dashboardMetricNames(deploy.resolve(MonitoringFiles.DASHBOARD)));
        read.putAll(MonitoringFiles.alertMetricNames(deploy.resolve(MonitoringFiles.ALERTS)));

        try (InProcessConsumer consumer = InProcessConsumer.start(kafka.bootstrapServers(), topic, "g-" + topic, dataDir,
                "--dlq-topic", dlq, "--http-port", "0", "--http-address", "127.0.0.1")) {
            Map<Integer, Long> end = kafka.endOffsets(topic, 2);
            await("offsets committed up to " + end).atMost(DEADLINE).until(() -> {
                consumer.assertRunning();
                return kafka.committedOffsets("g-" + topic, topic).equals(end);
            });
            // the GC pause timer has its first series at the first collection after the consumer started
            System.gc();
            await("every metric the dashboard and the alerts read is on /metrics").atMost(DEADLINE).untilAsserted(() ->
                    assertThat(PromQlNames.unknownNames(read, PromQlNames.exposedSampleNames(Metrics.scrape(consumer.httpPort()))))
                            .isEmpty());
            exposed = PromQlNames.exposedSampleNames(Metrics.scrape(consumer.httpPort()));
            assertThat(consumer.stop()).isZero();
        }
        // the series come from real work: three ticks stored, the poison record dead-lettered, all committed
        assertThat(TestTicks.count(dataDir, LocalDate.of(2026, 1, 19))).isEqualTo(3);
        assertThat(kafka.readCommitted(dlq)).hasSize(1);
    }

    @Test
    void everyMetricTheDashboardReadsIsOneTheConsumerExposes() throws Exception {
        Map<String, Set<String>> read = MonitoringFiles.dashboardMetricNames(deploy.resolve(MonitoringFiles.DASHBOARD));

        assertThat(read.values().stream().flatMap(Set::stream)).as("the dashboard reads the consumer's own metrics")
                .contains("ticksink_ticks_stored_total", "ticksink_consumer_lag", "ticksink_batch_write_seconds_bucket",
                        "ticksink_commit_latency_seconds_bucket", "ticksink_write_retries_total", "ticksink_dead_letters_total",
                        "ticksink_ready", "process_files_open_files", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count");
        assertThat(PromQlNames.unknownNames(read, exposed)).isEmpty();
    }

    @Test
    void everyMetricTheAlertRulesReadIsOneTheConsumerExposesOrPrometheusRecords() throws Exception {
        Map<String, Set<String>> read = MonitoringFiles.alertMetricNames(deploy.resolve(MonitoringFiles.ALERTS));

        assertThat(read).hasSizeGreaterThanOrEqualTo(7);
        assertThat(PromQlNames.unknownNames(read, exposed)).isEmpty();
    }

    @Test
    void aMisspeltMetricInACopyOfTheDashboardIsReported(@TempDir Path copyDir) throws Exception {
        String dashboard = Files.readString(deploy.resolve(MonitoringFiles.DASHBOARD));
        assertThat(dashboard).contains("ticksink_commit_latency_seconds_bucket");
        Path copy = Files.writeString(copyDir.resolve("ticksink.json"),
                dashboard.replace("ticksink_commit_latency_seconds_bucket", "ticksink_commit_latancy_seconds_bucket"));

        Map<String, Set<String>> unknown = PromQlNames.unknownNames(MonitoringFiles.dashboardMetricNames(copy), exposed);

        assertThat(unknown).isNotEmpty()
                .allSatisfy((query, names) -> assertThat(names).containsExactly("ticksink_commit_latancy_seconds_bucket"));
    }

    @Test
    void aHistogramIsReadThroughItsBucketsSumAndCountAndASummaryHasNoBuckets() {
        Map<String, Set<String>> read = Map.of(
                "buckets", PromQlNames.metricNames("histogram_quantile(0.99, sum by (le) (rate(ticksink_batch_write_seconds_bucket[5m])))"),
                "mean", PromQlNames.metricNames("rate(ticksink_batch_write_seconds_sum[5m]) / rate(ticksink_batch_write_seconds_count[5m])"),
                "family name", PromQlNames.metricNames("rate(ticksink_batch_write_seconds[5m])"),
                "summary as histogram", PromQlNames.metricNames("histogram_quantile(0.9, rate(jvm_gc_pause_seconds_bucket[5m]))"));

        assertThat(PromQlNames.unknownNames(read, exposed)).containsOnly(
                Map.entry("family name", Set.of("ticksink_batch_write_seconds")),
                Map.entry("summary as histogram", Set.of("jvm_gc_pause_seconds_bucket")));
    }
}
