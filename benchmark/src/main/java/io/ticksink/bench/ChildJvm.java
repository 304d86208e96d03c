package io.ticksink.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by the benchmark, measured from outside through /proc: CPU time (user + system),
 * peak resident set (VmHWM), and, for the consumer, its /metrics endpoint. Linux only.
 */
final class ChildJvm implements AutoCloseable {

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort = -1;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildJvm start(Path workDir, List<String> jvmOptions, Path jar, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(args);
        Files.createDirectories(workDir);
        Path log = Files.createTempFile(workDir, "child-", ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ChildJvm(process, log);
    }

    /** User plus system CPU seconds used so far. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** Peak resident set size in MiB. */
    double peakRssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    Path logFile() {
        return log;
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits for the consumer's "metrics and health on http://...:PORT" line. */
    int awaitHttpPort(Duration timeout) throws IOException, InterruptedException {
        Pattern pattern = Pattern.compile("metrics and health on http://[^:]+:(\\d+)/metrics");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                httpPort = Integer.parseInt(m.group(1));
                return httpPort;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("child exited: " + output());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no HTTP port after " + timeout + ": " + output());
    }

    /** The sum of every sample of one metric on /metrics (NaN when absent). */
    double metric(String name, String labelFilter) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
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
    java.util.TreeMap<Double, Double> histogram(String name) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "_bucket\\{le=\"([^\"]+)\"} (\\S+)$").matcher(body);
        java.util.TreeMap<Double, Double> buckets = new java.util.TreeMap<>();
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.put(le, Double.parseDouble(m.group(2)));
        }
        return buckets;
    }

    /**
     * The q-quantile of the observations between two snapshots of a cumulative histogram,
     * interpolated linearly inside its bucket (as Prometheus' histogram_quantile does).
     */
    static double quantile(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after, double q) {
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

    void terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
