package io.ticksink.migrator;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** The shaded jar run in a child JVM, as an operator runs it, for tests that kill it or limit its heap. */
final class ChildMigrator {

    static final Path JAR = Path.of("target", "ticksink-migrator.jar");

    private ChildMigrator() {
    }

    static Process start(Path log, String maxHeap, String... args) throws Exception {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the package phase first");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-Dorg.sqlite.tmpdir=" + Path.of("target").toAbsolutePath(),
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        File out = log.toFile();
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out));
        return pb.start();
    }

    static int run(Path log, String maxHeap, Duration timeout, String... args) throws Exception {
        Process p = start(log, maxHeap, args);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the migrator did not finish in " + timeout + "; output:\n" + Files.readString(log));
        }
        return p.exitValue();
    }

    /** Polls {@code condition} until it holds; fails after {@code timeout}. A day file being created may not be readable yet. */
    static void await(Duration timeout, Callable<Boolean> condition) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10)).ignoreExceptions().until(condition);
    }
}
