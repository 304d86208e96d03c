package io.ticksink.consumer;

import static io.ticksink.consumer.MonitoringFiles.list;
import static io.ticksink.consumer.MonitoringFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in {@code deploy/} works wherever it is loaded (its datasource is a
 * variable), filters by consumer, sets units, and draws its thresholds where the alert rules fire.
 * That its metrics exist is {@link DashboardMetricsIT}'s part.
 */
class DashboardFileTest {

    private static final Pattern RANGE = Pattern.compile("\\[([^\\]]*)]");
    private static final Pattern COMPARISON = Pattern.compile("(?:>|>=|==|<|<=)\\s*([0-9.eE+]+)\\s*$");
    private static final Pattern LOGICAL = Pattern.compile("\\b(?:and|or|unless)\\b");

    private static Path deploy;
    private static Object dashboard;
    private static List<Map<String, Object>> panels;

    @BeforeAll
    static void read() throws IOException {
        deploy = MonitoringFiles.deployDir();
        dashboard = MonitoringFiles.readJson(deploy.resolve(MonitoringFiles.DASHBOARD));
        panels = MonitoringFiles.panels(dashboard);
    }

    @Test
    void theDatasourceIsAVariableSoTheDashboardWorksProvisionedOrImported() {
        Map<String, Object> variable = list(map(map(dashboard).get("templating")).get("list")).stream().map(MonitoringFiles::map)
                .filter(v -> "datasource".equals(v.get("name"))).findFirst().orElseThrow();

        assertThat(variable).containsEntry("type", "datasource").containsEntry("query", "prometheus");
        assertThat(map(dashboard)).doesNotContainKey("__inputs");
        assertThat(panels).isNotEmpty().allSatisfy(panel -> {
            assertThat(map(panel.get("datasource"))).as(title(panel)).containsEntry("uid", "${datasource}");
            assertThat(list(panel.get("targets"))).as(title(panel)).isNotEmpty()
                    .allSatisfy(t -> assertThat(map(map(t).get("datasource"))).containsEntry("uid", "${datasource}"));
        });
    }

    @Test
    void everyQueryFollowsTheJobAndConsumerChosenAbove() {
        assertThat(MonitoringFiles.variableQueries(dashboard)).containsKeys("job", "instance", "topic", "partition");
        assertThat(panels).allSatisfy(panel -> assertThat(MonitoringFiles.expressions(panel)).as(title(panel))
                .allSatisfy(expr -> assertThat(expr).contains("job=~\"$job\"", "instance=~\"$instance\"")));
    }

    @Test
    void everyPanelHasAUnitAndEveryRateAWindowOfAtLeastFourScrapes() {
        assertThat(panels).allSatisfy(panel -> {
            assertThat(map(map(panel.get("fieldConfig")).get("defaults")).get("unit")).as(title(panel)).asString().isNotBlank();
            for (String expr : MonitoringFiles.expressions(panel)) {
                Matcher range = RANGE.matcher(expr);
                while (range.find()) {
                    // $__rate_interval is four scrape intervals at least; a fixed window is for "in the last hour" figures
                    assertThat(range.group(1)).as(expr).matches("\\$__rate_interval|[1-9][0-9]*[hd]");
                }
            }
        });
    }

    @Test
    void thePanelsOfAnAlertedMetricDrawTheAlertsThresholds() throws IOException {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, String> alert : MonitoringFiles.alertExpressions(deploy.resolve(MonitoringFiles.ALERTS)).entrySet()) {
            for (String part : LOGICAL.split(alert.getValue())) {
                Matcher comparison = COMPARISON.matcher(part.strip());
                Set<String> names = PromQlNames.metricNames(part);
                if (!comparison.find() || names.size() != 1 || Double.parseDouble(comparison.group(1)) == 0) {
                    continue; // "above 0" and "== 0" are drawn by colour, not by a line
                }
                String metric = names.iterator().next();
                double threshold = Double.parseDouble(comparison.group(1));
                List<Map<String, Object>> showing = panels.stream()
                        .filter(p -> MonitoringFiles.expressions(p).stream().anyMatch(e -> PromQlNames.metricNames(e).contains(metric)))
                        .toList();
                assertThat(showing).as("panels showing " + metric).isNotEmpty();
                assertThat(showing).as(alert.getKey() + ": a panel of " + metric + " with a threshold at " + threshold)
                        .anySatisfy(p -> assertThat(thresholdSteps(p)).contains(threshold));
                checked.add(alert.getKey() + " " + metric + " " + threshold);
            }
        }

        assertThat(checked).as("thresholds compared").hasSizeGreaterThanOrEqualTo(3);
    }

    private static List<Double> thresholdSteps(Map<String, Object> panel) {
        Map<String, Object> thresholds = map(map(map(panel.get("fieldConfig")).get("defaults")).get("thresholds"));
        return list(thresholds.get("steps")).stream().map(s -> map(s).get("value")).filter(v -> v != null)
                .map(v -> ((Number) v).doubleValue()).toList();
    }

    private static String title(Map<String, Object> panel) {
        return "panel \"" + panel.get("title") + "\"";
    }
}
