package io.ticksink.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {

    @TempDir
    Path dir;

    /** The child: prints what it was given, then exits with the status named, or runs until stopped. */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("property=" + System.getProperty("child.property") + " env=" + System.getenv("CHILD_ENV")
                    + " dir=" + Path.of("").toAbsolutePath().getFileName());
            System.err.println("args=" + String.join(",", args));
            System.out.flush();
            if (args[0].equals("exit")) {
                System.exit(Integer.parseInt(args[1]));
            }
            for (long n = 0; ; n++) {
                System.out.println("alive " + n);
                Thread.sleep(10); // the child's own pace, not a test's synchronisation
            }
        }
    }

    private ChildJvm.Builder child(String... args) {
        return ChildJvm.mainClass(Child.class.getName()).jvmOptions("-Xmx32m").workDir(dir.resolve("work")).args(args);
    }

    @Test
    void aChildRunsWithItsPropertiesEnvironmentAndArgumentsAndItsOutputAndExitStatusAreKept() throws Exception {
        Path log = dir.resolve("logs/child.log");
        try (ChildJvm jvm = child("exit", "7").systemProperty("child.property", "p1").env("CHILD_ENV", "e1").log(log).start()) {
            assertThat(jvm.awaitExit(Duration.ofSeconds(30))).isEqualTo(7);
            assertThat(jvm.log()).isEqualTo(log);
            assertThat(jvm.output()).contains("property=p1 env=e1 dir=work", "args=exit,7");
            assertThat(jvm.command().get(0)).isEqualTo(ChildJvm.javaBinary());
            assertThat(jvm.endRequested()).isFalse();
        }
    }

    @Test
    void aMissingJarIsNamedBeforeAnythingStarts() {
        Path jar = dir.resolve("missing.jar");
        assertThatThrownBy(() -> ChildJvm.jar(jar).start()).hasMessageContaining(jar.toString()).hasMessageContaining("missing");
    }

    @Test
    void aFrozenChildStopsRunningUntilItIsResumedAndSigkillEndsIt() throws Exception {
        try (ChildJvm jvm = child("run").start()) {
            jvm.awaitOutput(Pattern.compile("alive 3"), Duration.ofSeconds(30));

            jvm.freeze();
            assertThat(state(jvm)).as("stopped when freeze returns").isEqualTo('T');
            assertThat(jvm.endRequested()).as("a freeze is not an end").isFalse();

            jvm.resume();
            assertThat(state(jvm)).as("running when resume returns").isNotEqualTo('T');
            int printed = jvm.output().length();
            await("printing again").atMost(Duration.ofSeconds(10)).until(() -> jvm.output().length() > printed);

            jvm.kill();
            assertThat(jvm.awaitExit(Duration.ofSeconds(30))).isEqualTo(128 + 9);
            assertThat(jvm.endRequested()).isTrue();
        }
    }

    @Test
    void sigtermEndsAChildWithItsShutdownHooks() throws Exception {
        try (ChildJvm jvm = child("run").start()) {
            jvm.awaitOutput(Pattern.compile("alive 1"), Duration.ofSeconds(30));
            jvm.terminate();
            assertThat(jvm.awaitExit(Duration.ofSeconds(30))).isEqualTo(128 + 15);
        }
    }

    @Test
    void aChildStillRunningAtTheDeadlineIsKilledAndItsLogIsInTheFailure() throws Exception {
        try (ChildJvm jvm = child("run").start()) {
            jvm.awaitOutput(Pattern.compile("alive 1"), Duration.ofSeconds(30));
            assertThatThrownBy(() -> jvm.awaitExit(Duration.ofMillis(200)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("did not exit within").hasMessageContaining("alive 1");
            assertThat(jvm.isAlive()).isFalse();
        }
    }

    @Test
    void closingAChildKillsIt() throws Exception {
        ChildJvm jvm = child("run").start();
        jvm.awaitOutput(Pattern.compile("alive 1"), Duration.ofSeconds(30));
        jvm.close();
        assertThat(jvm.isAlive()).isFalse();
        assertThat(ProcessHandle.of(jvm.pid()).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void waitingForOutputFailsAsSoonAsTheChildExitsWithoutIt() throws Exception {
        try (ChildJvm jvm = child("exit", "3").start()) {
            assertThatThrownBy(() -> jvm.awaitOutput(Pattern.compile("never printed"), Duration.ofSeconds(60)))
                    .hasMessageContaining("exited (3)").hasMessageContaining("args=exit,3");
        }
    }

    /** The state letter of /proc/PID/stat: T when stopped by a signal. */
    private static char state(ChildJvm jvm) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(jvm.pid()), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
