package io.ticksink.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java program run in a child JVM, the way an operator runs it: the {@code java} binary of the
 * running JVM, either {@code -jar JAR} or {@code -cp CLASSPATH MAIN}, with JVM options, system
 * properties, environment variables and arguments; standard output and error go to one log file.
 * A test stops it with the signals an operator or the kernel sends ({@link #terminate()},
 * {@link #kill()}, {@link #freeze()}, {@link #resume()}), awaits its exit with a deadline, and
 * reads its log. {@link #close()} kills it if it still runs, so try-with-resources never leaves a
 * child behind.
 *
 * <p>Depends on the JDK alone, so that main code (the benchmark) can use it without this module's
 * other dependencies. Signals are sent with {@code kill -s}, so POSIX only. Thread safe.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;
    private final List<String> command;
    private volatile boolean endRequested;

    private ChildJvm(Process process, Path log, List<String> command) {
        this.process = process;
        this.log = log;
        this.command = List.copyOf(command);
    }

    /** A child JVM running {@code java -jar jar}. */
    public static Builder jar(Path jar) {
        return new Builder(Objects.requireNonNull(jar, "jar"), null);
    }

    /** A child JVM running {@code java -cp CLASSPATH mainClass}, by default with this JVM's class path. */
    public static Builder mainClass(String mainClass) {
        return new Builder(null, Objects.requireNonNull(mainClass, "mainClass"));
    }

    /** What to run and how; {@link #start()} launches it. Not thread safe. */
    public static final class Builder {
        private final Path jar;
        private final String mainClass;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private Path workDir;
        private Path log;

        private Builder(Path jar, String mainClass) {
            this.jar = jar;
            this.mainClass = mainClass;
        }

        /** The class path of a {@link #mainClass} child; this JVM's own by default. */
        public Builder classPath(String classPath) {
            this.classPath = Objects.requireNonNull(classPath, "classPath");
            return this;
        }

        /** Options given to {@code java} before the program, such as {@code -Xmx64m}. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder jvmOptions(String... options) {
            return jvmOptions(List.of(options));
        }

        /** A {@code -Dname=value} option. */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(name, value);
            return this;
        }

        /** An environment variable of the child, beside those it inherits from this JVM. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        /** The program's arguments. */
        public Builder args(List<String> arguments) {
            args.addAll(arguments);
            return this;
        }

        public Builder args(String... arguments) {
            return args(List.of(arguments));
        }

        /** The child's working directory (created if missing); this JVM's by default. */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /**
         * The file its output and errors are appended to. By default a new file {@code child-*.log}
         * in the working directory, or in {@code java.io.tmpdir} without one.
         */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /** Starts the child; it runs until it exits or is stopped. */
        public ChildJvm start() throws IOException {
            if (jar != null && !Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn package)");
            }
            List<String> command = new ArrayList<>();
            command.add(javaBinary());
            command.addAll(jvmOptions);
            systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
            if (jar != null) {
                command.add("-jar");
                command.add(jar.toAbsolutePath().toString());
            } else {
                command.add("-cp");
                command.add(classPath);
                command.add(mainClass);
            }
            command.addAll(args);
            if (workDir != null) {
                Files.createDirectories(workDir);
            }
            Path logFile = log;
            if (logFile == null) {
                Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
                logFile = Files.createTempFile(dir, "child-", ".log");
            } else if (logFile.getParent() != null) {
                Files.createDirectories(logFile.getParent());
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().putAll(environment);
            return new ChildJvm(builder.start(), logFile, command);
        }
    }

    /** The {@code java} binary of the running JVM, so that a child runs on the same Java as its parent. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The command line it was started with. */
    public List<String> command() {
        return command;
    }

    /** The file holding its standard output and error. */
    public Path log() {
        return log;
    }

    /** Everything it has written to standard output and error so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    /**
     * Waits until its output matches {@code pattern} and returns the match; fails when the
     * deadline passes or the child exits first, with its log in the message.
     */
    public Matcher awaitOutput(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String output = output();
            Matcher m = pattern.matcher(output);
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the child exited (" + process.exitValue() + ") before printing "
                        + pattern + "; its log:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + pattern + " in the child's log within " + timeout + "; its log:\n"
                        + output);
            }
            // the log is a file written by another process: there is nothing to be notified by
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** SIGTERM, as systemd or Kubernetes send it: shutdown hooks run. */
    public void terminate() {
        signal("TERM");
    }

    /** SIGKILL: the process ends at once, no shutdown hook runs. */
    public void kill() {
        signal("KILL");
    }

    /**
     * SIGSTOP: every thread is frozen (a long GC pause, a stuck disk) until {@link #resume()}.
     * Returns once the kernel shows the process stopped (its {@code /proc} state {@code T}): the
     * signal is delivered to the threads asynchronously, after {@code kill} returned.
     */
    public void freeze() {
        signal("STOP");
        awaitState(true);
    }

    /** SIGCONT: a frozen child runs on. Returns once it is no longer shown stopped. */
    public void resume() {
        signal("CONT");
        awaitState(false);
    }

    /** Waits until the process is (or is no longer) stopped, where {@code /proc} tells; fails after 10 s. */
    private void awaitState(boolean stopped) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + SIGNAL_TIMEOUT.toNanos();
        try {
            while (process.isAlive() && Files.exists(stat)) {
                String text = Files.readString(stat, StandardCharsets.UTF_8);
                char state = text.charAt(text.lastIndexOf(')') + 2);
                if ((state == 'T') == stopped) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("process " + process.pid() + " still in state " + state + " "
                            + SIGNAL_TIMEOUT + " after SIG" + (stopped ? "STOP" : "CONT"));
                }
                process.waitFor(1, TimeUnit.MILLISECONDS); // returns early should it exit
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for SIG" + (stopped ? "STOP" : "CONT"), e);
        } catch (IOException e) {
            // the process ended between the check and the read: there is nothing left to wait for
        }
    }

    /** Sends a signal by name ({@code TERM}, {@code KILL}, {@code STOP}, ...) with {@code kill -s}. */
    public void signal(String name) {
        if (!name.equals("STOP") && !name.equals("CONT")) {
            endRequested = true;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + name + " " + process.pid() + " did not return");
            }
            if (kill.exitValue() != 0 && process.isAlive()) {
                throw new IllegalStateException("kill -s " + name + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -s " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name, e);
        }
    }

    /**
     * Whether a signal other than STOP or CONT was sent to it through this object, so that its exit
     * is expected.
     */
    public boolean endRequested() {
        return endRequested;
    }

    /**
     * Waits for it to exit and returns its exit status (128 + N after signal N). When it still runs
     * at the deadline it is killed and an {@link IllegalStateException} carrying its log is thrown.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            destroy();
            throw new IllegalStateException("the child did not exit within " + timeout + "; its log:\n" + output());
        }
        return process.exitValue();
    }

    /** The process itself, for what this class does not offer (its standard input, its /proc entry). */
    public Process process() {
        return process;
    }

    /** Kills the child if it still runs and waits until it is gone. */
    @Override
    public void close() {
        destroy();
    }

    private void destroy() {
        if (!process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
