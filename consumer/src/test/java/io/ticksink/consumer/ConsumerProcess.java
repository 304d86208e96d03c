package io.ticksink.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** The consumer's shaded jar running in a child JVM, to be stopped by a signal or killed outright. */
final class ConsumerProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "ticksink-consumer.jar");

    private final Process process;
    private final Path log;
    private volatile boolean stoppedByTest;

    private ConsumerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ConsumerProcess start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the integration tests with mvn verify");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-Dorg.sqlite.tmpdir=" + Path.of("target").toAbsolutePath());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path log = Files.createTempFile(workDir, "consumer-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // each test makes its own topic; its dead-letter topic is created by the consumer unless the
        // test says --dlq-create=false (the command line wins over the environment)
        builder.environment().put("TICKSINK_DLQ_CREATE", "true");
        Process process = builder.start();
        return new ConsumerProcess(process, log);
    }

    /** SIGTERM, as systemd or Kubernetes send it. */
    void terminate() {
        stoppedByTest = true;
        process.destroy();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() {
        stoppedByTest = true;
        process.destroyForcibly();
    }

    long pid() {
        return process.pid();
    }

    /** Whether the test sent this process a signal (so its exit is expected). */
    boolean stoppedByTest() {
        return stoppedByTest;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the consumer did not exit within " + timeout + "; its log:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The port of the HTTP endpoint, read from the start-up log line. */
    int httpPort() {
        Pattern pattern = Pattern.compile("metrics and health on http://[^:]+:(\\d+)/metrics");
        int[] port = new int[1];
        Awaitility.await("the HTTP endpoint's log line").atMost(Duration.ofSeconds(60)).until(() -> {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the consumer exited early:\n" + output());
            }
            return false;
        });
        return port[0];
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
