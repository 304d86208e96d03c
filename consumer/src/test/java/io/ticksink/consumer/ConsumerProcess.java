package io.ticksink.consumer;

import io.ticksink.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The consumer's shaded jar running in a child JVM ({@link ChildJvm}), to be stopped by a signal,
 * frozen or killed outright; its log is a file in the test's working directory.
 */
final class ConsumerProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "ticksink-consumer.jar");

    private static final Pattern HTTP_PORT = Pattern.compile("metrics and health on http://[^:]+:(\\d+)/metrics");

    private final ChildJvm jvm;

    private ConsumerProcess(ChildJvm jvm) {
        this.jvm = jvm;
    }

    static ConsumerProcess start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
        ChildJvm jvm = ChildJvm.jar(JAR).workDir(workDir).log(workDir.resolve("consumer-" + System.nanoTime() + ".log"))
                .jvmOptions("-Xmx256m")
                .systemProperty("org.sqlite.tmpdir", Path.of("target").toAbsolutePath().toString())
                .jvmOptions(jvmOptions)
                // each test makes its own topic; its dead-letter topic is created by the consumer unless
                // the test says --dlq-create=false (the command line wins over the environment)
                .env("TICKSINK_DLQ_CREATE", "true")
                .args(args)
                .start();
        return new ConsumerProcess(jvm);
    }

    /** SIGTERM, as systemd or Kubernetes send it. */
    void terminate() {
        jvm.terminate();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() {
        jvm.kill();
    }

    /** SIGSTOP: frozen, as in a long GC pause, until {@link #resume()}. */
    void freeze() {
        jvm.freeze();
    }

    /** SIGCONT. */
    void resume() {
        jvm.resume();
    }

    long pid() {
        return jvm.pid();
    }

    /** Whether the test sent this process a signal (so its exit is expected). */
    boolean stoppedByTest() {
        return jvm.endRequested();
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** Its exit status; fails with its log when it still runs after {@code timeout} (it is killed then). */
    int waitFor(Duration timeout) throws InterruptedException {
        try {
            return jvm.awaitExit(timeout);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    String output() {
        return jvm.output();
    }

    /** The port of the HTTP endpoint, read from the start-up log line. */
    int httpPort() {
        try {
            return Integer.parseInt(jvm.awaitOutput(HTTP_PORT, Duration.ofSeconds(60)).group(1));
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the HTTP port", e);
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
