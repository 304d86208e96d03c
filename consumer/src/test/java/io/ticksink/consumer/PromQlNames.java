package io.ticksink.consumer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, the sample names a {@code /metrics} page exposes,
 * and which names the first are missing from the second.
 *
 * <p>A name is what a selector matches in Prometheus: the sample name as exposed, so a histogram
 * is read as {@code x_bucket}, {@code x_sum} or {@code x_count} (the bare family name {@code x}
 * selects nothing and is reported as missing), and a summary has no {@code x_bucket}.
 */
final class PromQlNames {

    /** Series Prometheus records itself for every target it scrapes; no target exposes them. */
    static final Set<String> MADE_BY_PROMETHEUS = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");
    // removed in this order: a string may hold braces or brackets, a matcher may hold a $variable
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "(?i)\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern OFFSET = Pattern.compile("(?i)\\boffset\\s+-?[\\w$]+");
    private static final Pattern AT = Pattern.compile("@\\s*(?:start\\s*\\(\\s*\\)|end\\s*\\(\\s*\\)|[0-9.]+)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\w:.])(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern NAME_MATCHER = Pattern.compile("\\b__name__\\s*[=!~]");
    private static final Pattern LABEL_VALUES = Pattern.compile("(?s)^\\s*label_values\\s*\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)\\s*$");
    private static final Pattern QUERY_RESULT = Pattern.compile("(?s)^\\s*query_result\\s*\\((.*)\\)\\s*$");

    private PromQlNames() {
    }

    /** The metric names {@code expr} selects: every identifier that is not a function, keyword, label or number. */
    static Set<String> metricNames(String expr) {
        String rest = STRING.matcher(expr).replaceAll(" ");
        if (NAME_MATCHER.matcher(rest).find()) {
            throw new IllegalArgumentException("selects series by __name__, which this check cannot follow: " + expr);
        }
        for (Pattern p : new Pattern[] {MATCHERS, RANGE, GROUPING, OFFSET, AT, VARIABLE, NUMBER}) {
            rest = p.matcher(rest).replaceAll(" ");
        }
        Set<String> names = new TreeSet<>();
        Matcher id = IDENTIFIER.matcher(rest);
        while (id.find()) {
            String word = id.group();
            boolean call = rest.substring(id.end()).stripLeading().startsWith("(");
            if (!call && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /**
     * The metric names a Grafana query variable reads: {@code label_values(selector, label)} reads
     * the selector's, {@code query_result(expr)} the expression's; {@code label_values(label)} and
     * {@code metrics(regex)} read no metric by name.
     */
    static Set<String> variableMetricNames(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (labelValues.matches()) {
            return metricNames(labelValues.group(1));
        }
        Matcher queryResult = QUERY_RESULT.matcher(query);
        if (queryResult.matches()) {
            return metricNames(queryResult.group(1));
        }
        if (query.strip().startsWith("label_values") || query.strip().startsWith("metrics")) {
            return Set.of();
        }
        throw new IllegalArgumentException("not a Grafana Prometheus variable query this check knows: " + query);
    }

    /** The sample names of a page in the Prometheus text format (comment lines left out). */
    static Set<String> exposedSampleNames(String page) {
        Set<String> names = new TreeSet<>();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /**
     * For each named expression, the names it reads that are neither in {@code exposed} nor made
     * by Prometheus itself; expressions with none are left out, so an empty map means all is well.
     */
    static Map<String, Set<String>> unknownNames(Map<String, Set<String>> namesByQuery, Set<String> exposed) {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        namesByQuery.forEach((query, names) -> {
            Set<String> missing = new TreeSet<>(names);
            missing.removeAll(exposed);
            missing.removeAll(MADE_BY_PROMETHEUS);
            if (!missing.isEmpty()) {
                unknown.put(query, missing);
            }
        });
        return unknown;
    }
}
