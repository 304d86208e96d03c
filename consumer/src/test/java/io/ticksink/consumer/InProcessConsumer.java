package io.ticksink.consumer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** A consumer running on a thread of the test JVM, configured as from the command line. */
final class InProcessConsumer implements AutoCloseable {

    private final ConsumerApp app;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();

    private InProcessConsumer(ConsumerApp app) {
        this.app = app;
        Thread thread = new Thread(() -> {
            try {
                status.complete(app.run());
            } catch (Throwable t) {
                status.completeExceptionally(t);
            }
        }, "consumer-under-test");
        thread.setDaemon(true);
        thread.start();
    }

    static InProcessConsumer start(String bootstrap, String topic, String group, Path dataDir, String... extra)
            throws ConsumerApp.StartException {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--topic", topic,
                "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "-1",
                // each test makes its own topic; the consumer creates its dead-letter topic unless told not to
                "--dlq-create"));
        args.addAll(List.of(extra));
        ConsumerConfig config = new ConsumerConfig();
        new CommandLine(config).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
        config.validate();
        return new InProcessConsumer(ConsumerApp.create(config, bootstrap));
    }

    /** Fails the test at once when the consumer stopped on its own. */
    void assertRunning() {
        if (status.isDone()) {
            throw new AssertionError("the consumer stopped with status " + status.getNow(null));
        }
    }

    ConsumerMetrics metrics() {
        return app.metrics();
    }

    int httpPort() {
        return app.httpPort();
    }

    /** Stops as SIGTERM would and returns the exit status. */
    int stop() throws Exception {
        app.requestStop();
        try {
            return status.get(60, TimeUnit.SECONDS);
        } finally {
            app.close();
        }
    }

    @Override
    public void close() throws Exception {
        if (!status.isDone()) {
            stop();
        }
    }
}
