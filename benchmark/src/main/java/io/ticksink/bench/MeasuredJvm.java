package io.ticksink.bench;

import io.ticksink.testing.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A jar run in a child JVM by the test kit's launcher ({@link ChildJvm}), measured from outside:
 * CPU time (user + system) and peak resident set (VmHWM) from {@code /proc/PID}, and, for the
 * consumer, the samples of its {@code /metrics} endpoint. Linux only. {@link #close()} kills the
 * child if it still runs.
 */
final class MeasuredJvm implements AutoCloseable {

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final Pattern HTTP_PORT = Pattern.compile("metrics and health on http://[^:]+:(\\d+)/metrics");

    private final ChildJvm child;
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile int httpPort = -1;

    /** Measures a child started by the launcher; {@link #close()} kills it. */
    MeasuredJvm(ChildJvm child) {
        this.child = child;
    }

    /** Starts {@code java JVM-OPTIONS -jar JAR ARGS} in {@code workDir}, its output in a new {@code child-*.log} there. */
    static MeasuredJvm start(Path workDir, List<String> jvmOptions, Path jar, List<String> args) throws IOException {
        return new MeasuredJvm(ChildJvm.jar(jar).workDir(workDir).jvmOptions(jvmOptions).args(args).start());
    }

    /** User plus system CPU seconds used so far; {@link IOException} once the process is gone. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(proc("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** Peak resident set size in MiB; NaN once the process is a zombie. */
    double peakRssMib() throws IOException {
        for (String line : Files.readAllLines(proc("status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    private Path proc(String file) {
        return Path.of("/proc", Long.toString(child.pid()), file);
    }

    Path logFile() {
        return child.log();
    }

    String output() {
        return child.output();
    }

    /**
     * Waits for the consumer's "metrics and health on http://...:PORT/metrics" line and keeps the
     * port for {@link #metric} and {@link #histogram}; fails when the child exits first or the
     * deadline passes.
     */
    int awaitHttpPort(Duration timeout) throws InterruptedException {
        httpPort = Integer.parseInt(child.awaitOutput(HTTP_PORT, timeout).group(1));
        return httpPort;
    }

    /** The sum of every sample of one metric on /metrics (NaN when absent). */
    double metric(String name, String labelFilter) throws IOException, InterruptedException {
        String body = scrape();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(body);
        double sum = 0;
        boolean any = false;
        while (m.find()) {
            if (labelFilter == null || (m.group(1) != null && m.group(1).contains(labelFilter))) {
                sum += Double.parseDouble(m.group(2));
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    /** The cumulative buckets of a Prometheus histogram: upper bound to count. */
    TreeMap<Double, Double> histogram(String name) throws IOException, InterruptedException {
        String body = scrape();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "_bucket\\{le=\"([^\"]+)\"} (\\S+)$").matcher(body);
        TreeMap<Double, Double> buckets = new TreeMap<>();
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.put(le, Double.parseDouble(m.group(2)));
        }
        return buckets;
    }

    private String scrape() throws IOException, InterruptedException {
        if (httpPort < 0) {
            throw new IllegalStateException("no HTTP port known: awaitHttpPort first");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * The q-quantile of the observations between two snapshots of a cumulative histogram,
     * interpolated linearly inside its bucket (as Prometheus' histogram_quantile does).
     */
    static double quantile(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (var e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= rank) {
                if (e.getKey().isInfinite()) {
                    return lowerBound;
                }
                return lowerBound + (e.getKey() - lowerBound) * (rank - lowerCount) / Math.max(count - lowerCount, 1e-9);
            }
            lowerBound = e.getKey();
            lowerCount = count;
        }
        return lowerBound;
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code timeout}. */
    void terminate(Duration timeout) throws InterruptedException {
        child.terminate();
        if (!child.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            child.close();
        }
    }

    boolean isAlive() {
        return child.isAlive();
    }

    /** Waits for it to exit, however long that takes, and returns its exit status. */
    int waitFor() throws InterruptedException {
        return child.process().waitFor();
    }

    @Override
    public void close() {
        child.close();
    }
}
