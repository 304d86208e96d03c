package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JVMs, real SIGKILLs: the native library copies of killed processes are left behind (the
 * fault), the next process to start removes them, and a process that runs meanwhile keeps its
 * directory and keeps storing ticks.
 */
class NativeLibraryDirIT {

    private static final Duration START = Duration.ofSeconds(60);
    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path work;

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        children.forEach(c -> c.process.destroyForcibly());
    }

    @Test
    void theLibraryCopiesOfKilledProcessesAreRemovedByTheNextStartWhileALiveProcessKeepsItsOwnAndKeepsWorking()
            throws Exception {
        Path base = work.resolve("native");
        Child live = start(base, "live");
        Child killed1 = start(base, "killed-1");
        Child killed2 = start(base, "killed-2");
        for (Child c : List.of(live, killed1, killed2)) {
            assertThat(c.dir).hasParent(base);
            assertThat(libraryCopies(c.dir)).as("%s extracted its library into its own directory", c.name).hasSize(1);
        }

        killed1.kill();
        killed2.kill();
        // the fault: SIGKILL ran no delete-on-exit, the copies and their locks are still there
        for (Child c : List.of(killed1, killed2)) {
            assertThat(libraryCopies(c.dir)).as("%s's copy after SIGKILL", c.name).hasSize(1);
            try (Stream<Path> files = Files.list(c.dir)) {
                assertThat(files.filter(p -> p.toString().endsWith(".lck")).count()).isEqualTo(1);
            }
        }

        Child next = start(base, "next");

        assertThat(killed1.dir).as("the first killed process's directory").doesNotExist();
        assertThat(killed2.dir).as("the second killed process's directory").doesNotExist();
        assertThat(libraryCopies(live.dir)).as("the live process's copy").hasSize(1);
        assertThat(libraryCopies(next.dir)).hasSize(1);
        assertThat(live.write()).isEqualTo("ok 2");
        assertThat(rows(live)).as("ticks the live process stored, before and after the clean-up").isEqualTo(2);
        assertThat(rows(next)).isEqualTo(1);

        // a clean exit removes its own directory; only what a kill left could ever stay
        live.exit();
        next.exit();
        try (Stream<Path> left = Files.list(base)) {
            assertThat(left).isEmpty();
        }
    }

    private Child start(Path base, String name) throws IOException, InterruptedException {
        Path data = work.resolve(name);
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m",
                "-D" + NativeLibraryDir.PROPERTY + "=" + base, "-cp", System.getProperty("java.class.path"),
                NativeLibraryChild.class.getName(), data.toString(), DAY.toString())
                .redirectErrorStream(true);
        Child child = new Child(name, data, builder.start());
        children.add(child);
        String ready = child.awaitLine("ready ", START);
        child.dir = Path.of(ready.substring("ready ".length()));
        return child;
    }

    private static List<Path> libraryCopies(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("sqlite-.*libsqlitejdbc\\.so")).toList();
        }
    }

    private static long rows(Child child) throws SQLException {
        Path file = DayFiles.path(child.data, DAY);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A child JVM whose output lines are collected as they come. */
    private static final class Child {
        final String name;
        final Path data;
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder output = new StringBuilder();
        Path dir;

        Child(String name, Path data, Process process) {
            this.name = name;
            this.data = data;
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "child-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine(String prefix, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    synchronized (output) {
                        throw new AssertionError(name + " printed no '" + prefix + "' line within " + timeout
                                + " (alive: " + process.isAlive() + "); its output:\n" + output);
                    }
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        String write() throws IOException, InterruptedException {
            OutputStream in = process.getOutputStream();
            in.write("write\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            return awaitLine("ok ", START);
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        void exit() throws IOException, InterruptedException {
            process.getOutputStream().close();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(name + " exits at the end of its input").isTrue();
            assertThat(process.exitValue()).isZero();
        }
    }
}
