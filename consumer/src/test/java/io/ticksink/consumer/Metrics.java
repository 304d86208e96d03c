package io.ticksink.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a consumer's {@code /metrics} page, as Prometheus would. */
final class Metrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    /** The first sample of a metric, whatever its labels; NaN when it is not exposed. */
    static double value(int port, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(scrape(port));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** The lag of every partition of a topic the consumer reports, summed; NaN when it reports none. */
    static double totalLag(int port, String topic) throws Exception {
        Matcher m = Pattern.compile("(?m)^ticksink_consumer_lag\\{partition=\"\\d+\",topic=\"" + Pattern.quote(topic)
                + "\"} (\\S+)$").matcher(scrape(port));
        double total = 0;
        boolean any = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
            any = true;
        }
        return any ? total : Double.NaN;
    }

    static String scrape(int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
