package io.ticksink.migrator;

import io.ticksink.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;

/**
 * The shaded jar run in a child JVM ({@link ChildJvm}), as an operator runs it, for tests that kill
 * it or limit its heap. Every run of a test appends to the same log.
 */
final class ChildMigrator {

    static final Path JAR = Path.of("target", "ticksink-migrator.jar");

    private ChildMigrator() {
    }

    static ChildJvm start(Path log, String maxHeap, String... args) throws Exception {
        return ChildJvm.jar(JAR).log(log).jvmOptions("-Xmx" + maxHeap)
                .systemProperty("org.sqlite.tmpdir", Path.of("target").toAbsolutePath().toString())
                .args(args).start();
    }

    /** Runs it to its end and returns its exit status; fails with its log when it runs past {@code timeout}. */
    static int run(Path log, String maxHeap, Duration timeout, String... args) throws Exception {
        try (ChildJvm migrator = start(log, maxHeap, args)) {
            return migrator.awaitExit(timeout);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Polls {@code condition} until it holds; fails after {@code timeout}. A day file being created may not be readable yet. */
    static void await(Duration timeout, Callable<Boolean> condition) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10)).ignoreExceptions().until(condition);
    }
}
