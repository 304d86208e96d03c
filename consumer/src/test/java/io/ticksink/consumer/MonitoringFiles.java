package io.ticksink.consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring files of {@code deploy/} as a test reads them: the Grafana dashboard's panels,
 * queries and variables, and the alert rules' expressions.
 */
final class MonitoringFiles {

    static final String DASHBOARD = "grafana/dashboards/ticksink.json";
    static final String ALERTS = "prometheus/alerts.yml";

    private MonitoringFiles() {
    }

    /** {@code deploy/} beside the module directory the tests run in. */
    static Path deployDir() {
        Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path deploy = Files.isDirectory(moduleDir.resolve("../deploy")) ? moduleDir.resolve("../deploy").normalize()
                : moduleDir.resolve("deploy");
        if (!Files.isDirectory(deploy)) {
            throw new IllegalStateException("no deploy/ directory beside " + moduleDir);
        }
        return deploy;
    }

    /** A JSON document as maps, lists, strings, numbers, booleans and nulls. */
    static Object readJson(Path file) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            parser.nextToken();
            Object value = value(parser);
            if (parser.nextToken() != null) {
                throw new IOException(file + ": more than one JSON value");
            }
            return value;
        }
    }

    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if (object.put(name, value(parser)) != null) {
                        throw new IOException("key " + name + " twice in one object at " + parser.currentLocation());
                    }
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(parser));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return parser.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return parser.getBooleanValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected " + token + " at " + parser.currentLocation());
        }
    }

    /** Every panel of a dashboard, those inside rows included, rows themselves left out. */
    static List<Map<String, Object>> panels(Object dashboard) {
        List<Map<String, Object>> panels = new ArrayList<>();
        for (Object p : list(map(dashboard).get("panels"))) {
            Map<String, Object> panel = map(p);
            if ("row".equals(panel.get("type"))) {
                list(panel.getOrDefault("panels", List.of())).forEach(inner -> panels.add(map(inner)));
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /** The PromQL of a panel's queries. */
    static List<String> expressions(Map<String, Object> panel) {
        return list(panel.getOrDefault("targets", List.of())).stream().map(t -> String.valueOf(map(t).get("expr"))).toList();
    }

    /** The query variables: name to its query ({@code label_values(...)} and the like). */
    static Map<String, String> variableQueries(Object dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (Object v : list(map(map(dashboard).get("templating")).get("list"))) {
            Map<String, Object> variable = map(v);
            if ("query".equals(variable.get("type"))) {
                Object query = variable.get("query");
                queries.put(String.valueOf(variable.get("name")),
                        String.valueOf(query instanceof Map<?, ?> q ? q.get("query") : query));
            }
        }
        return queries;
    }

    /** The metric names every query of the dashboard reads, keyed by where the query is. */
    static Map<String, Set<String>> dashboardMetricNames(Path dashboardFile) throws IOException {
        Object dashboard = readJson(dashboardFile);
        Map<String, Set<String>> names = new LinkedHashMap<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            for (String expr : expressions(panel)) {
                names.put("panel \"" + panel.get("title") + "\": " + expr, PromQlNames.metricNames(expr));
            }
        }
        variableQueries(dashboard).forEach((name, query) ->
                names.put("variable $" + name + ": " + query, PromQlNames.variableMetricNames(query)));
        return names;
    }

    /** Alert name to expression, in file order. */
    static Map<String, String> alertExpressions(Path alertsFile) throws IOException {
        Map<String, String> expressions = new LinkedHashMap<>();
        Object doc = new Yaml().load(Files.readString(alertsFile));
        for (Object group : list(map(doc).get("groups"))) {
            for (Object r : list(map(group).get("rules"))) {
                Map<String, Object> rule = map(r);
                Object name = rule.containsKey("alert") ? rule.get("alert") : rule.get("record");
                expressions.put(String.valueOf(name), String.valueOf(rule.get("expr")));
            }
        }
        return expressions;
    }

    /** The metric names every alert reads, keyed by alert and expression. */
    static Map<String, Set<String>> alertMetricNames(Path alertsFile) throws IOException {
        Map<String, Set<String>> names = new LinkedHashMap<>();
        alertExpressions(alertsFile).forEach((alert, expr) ->
                names.put("alert " + alert + ": " + expr, PromQlNames.metricNames(expr)));
        return names;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("not an object: " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException("not a list: " + value);
        }
        return (List<Object>) value;
    }
}
