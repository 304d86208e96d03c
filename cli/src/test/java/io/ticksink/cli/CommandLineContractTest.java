package io.ticksink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The command-line contract every ticksink jar shares: exit codes, durations, version, common options. */
class CommandLineContractTest {

    @Command(name = "ticksink-example", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
    static final class Example implements Callable<Integer> {
        @Mixin
        DataDirsOption data;
        @Mixin
        BusyTimeoutOption busy;
        @Mixin
        LogFormatOption logging;
        @Option(names = "--every", converter = Durations.class, defaultValue = "1m")
        Duration every;
        @Option(names = "--fail")
        boolean fail;

        @Override
        public Integer call() {
            if (fail) {
                throw new IllegalStateException("the day file is locked");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "ticksink-maintain")
    static final class Maintain implements Callable<Integer> {
        @Mixin
        DataDirOption data;

        @Override
        public Integer call() {
            return ExitCodes.OK;
        }
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        return CommandLines.commandLine(command, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void everyExitCodeHasOneMeaningAndTheUsageCodeIsPicocliS() {
        List<Integer> codes = List.of(ExitCodes.OK, ExitCodes.PROBLEM, ExitCodes.USAGE, ExitCodes.UNCOMMITTED,
                ExitCodes.VERIFY_FAILED, ExitCodes.FATAL);
        assertThat(Set.copyOf(codes)).hasSameSizeAs(codes);
        assertThat(ExitCodes.OK).isEqualTo(CommandLine.ExitCode.OK);
        assertThat(ExitCodes.USAGE).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    /** Fills the heap until the JVM gives up; run in a child JVM with {@code -XX:+ExitOnOutOfMemoryError}. */
    static final class FillTheHeap {
        public static void main(String[] args) {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[1 << 20]);
            }
        }
    }

    @Test
    void theUncommittedCodeIsTheJvmsOwnStatusForAnOutOfMemoryExit() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                FillTheHeap.class.getName())
                .redirectErrorStream(true).start();
        child.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ran out of heap and exited").isTrue();

        assertThat(child.exitValue()).isEqualTo(ExitCodes.UNCOMMITTED);
    }

    @Test
    void durationsReadShortUnitsAndIsoAndPrintTheShortestExactForm() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("6h")).isEqualTo(Duration.ofHours(6));
        assertThat(Durations.parse(" 30d ")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parse("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(120))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
        assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'soon' is not a duration; write it as 250ms, 30s, 5m, 6h, 30d or PT30S");
        assertThatThrownBy(() -> new Durations().convert("5 minutes")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'5 minutes' is not a duration");
    }

    @Test
    void aBadDurationIsAUsageErrorNamingTheOption() {
        assertThat(run(new Example(), "--data-dir", "d", "--every", "soon")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--every").contains("'soon' is not a duration");
    }

    @Test
    void aCommandThatFailsPrintsOneErrorLineAndExitsWithTheProblemCode() {
        assertThat(run(new Example(), "--data-dir", "d", "--fail")).isEqualTo(ExitCodes.PROBLEM);
        assertThat(err.toString()).isEqualTo("error: the day file is locked" + System.lineSeparator());
    }

    @Test
    void aUsageErrorNamesTheCommandAndPointsAtItsHelp() {
        StringWriter text = new StringWriter();

        int code = CommandLines.usageError(new PrintWriter(text), "ticksink-migrator", "--batch-size must be at least 1");

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(text.toString()).isEqualTo("ticksink-migrator: --batch-size must be at least 1" + System.lineSeparator()
                + "Run ticksink-migrator --help for the options." + System.lineSeparator());
    }

    @Test
    void theVersionIsTheCommandsNameAndItsJarsImplementationVersion() {
        assertThat(run(new Example(), "--version")).isZero();
        // run from class directories, as here, there is no jar manifest to read
        assertThat(out.toString().strip()).isEqualTo("ticksink-example " + VersionProvider.DEVELOPMENT);
        assertThat(VersionProvider.version(Test.class)).as("a jar with an Implementation-Version").matches("\\d+\\..*");
    }

    @Test
    void theCommonOptionsHaveTheirDocumentedDefaultsAndDataDirRepeats() {
        Example example = new Example();
        new CommandLine(example).parseArgs("--data-dir", "a", "--data-dir", "b");

        assertThat(example.data.dataDirs).containsExactly(Path.of("a"), Path.of("b"));
        assertThat(example.busy.busyTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(example.logging.logFormat).isEqualTo(LogFormatOption.LogFormat.text);
        assertThat(example.every).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aCommandThatChangesADataDirTakesExactlyOne() {
        assertThat(run(new Maintain())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--data-dir");

        err.getBuffer().setLength(0);
        assertThat(run(new Maintain(), "--data-dir", "a", "--data-dir", "b")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--data-dir").contains("should be specified only once");
    }

    @Test
    void theLogFormatIsTextOrJsonAndJsonSelectsTheJsonConfiguration() {
        assertThat(run(new Example(), "--data-dir", "d", "--log-format", "xml")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--log-format").contains("xml");

        String before = System.getProperty("log4j2.configurationFile");
        try {
            Example example = new Example();
            new CommandLine(example).parseArgs("--data-dir", "d", "--log-format", "json");
            example.logging.apply();
            assertThat(System.getProperty("log4j2.configurationFile")).isEqualTo(LogFormatOption.JSON_CONFIG);
        } finally {
            if (before == null) {
                System.clearProperty("log4j2.configurationFile");
            } else {
                System.setProperty("log4j2.configurationFile", before);
            }
        }
    }
}
