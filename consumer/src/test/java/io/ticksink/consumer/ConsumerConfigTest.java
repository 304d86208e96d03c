package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.ExitCodes;
import io.ticksink.cli.LogFormatOption;
import io.ticksink.cli.VersionProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConsumerConfigTest {

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, env::get, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private ConsumerConfig parse(String... args) {
        ConsumerConfig config = new ConsumerConfig();
        ConfigSources sources = ConfigSources.load(args, env::get);
        new CommandLine(config).setDefaultValueProvider(sources).parseArgs(args);
        return config;
    }

    @Test
    void theCommandLineWinsOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() throws Exception {
        Path file = dir.resolve("ticksink.properties");
        Files.writeString(file, "topic=from-file\ngroup-id=file-group\nbatch-size=7\nlinger=2s\n");
        env.put("TICKSINK_CONFIG", file.toString());
        env.put("TICKSINK_GROUP_ID", "env-group");
        env.put("TICKSINK_BATCH_SIZE", "9");

        ConsumerConfig config = parse("--batch-size", "11");

        assertThat(config.batchSize).as("command line").isEqualTo(11);
        assertThat(config.groupId).as("environment").isEqualTo("env-group");
        assertThat(config.topic).as("file").isEqualTo("from-file");
        assertThat(config.linger).as("file").isEqualTo(Duration.ofSeconds(2));
        assertThat(config.retryMax).as("default").isEqualTo(Duration.ofSeconds(30));
        assertThat(config.dlqTopic()).isEqualTo("from-file.dlq");
    }

    @Test
    void invalidValuesStopTheStartWithAMessageNamingTheOption() {
        assertThat(run("--batch-size", "0")).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--batch-size must be at least 1");

        err.reset();
        assertThat(run("--retry-initial", "5s", "--retry-max", "1s")).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--retry-initial (5s) must not exceed --retry-max (1s)");

        err.reset();
        assertThat(run("--linger", "soon")).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--linger").contains("'soon' is not a duration");

        err.reset();
        env.put("TICKSINK_AUTO_OFFSET_RESET", "middle");
        assertThat(run()).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--auto-offset-reset must be earliest or latest, is middle");

        err.reset();
        assertThat(run("--config", dir.resolve("missing.properties").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--config: cannot read");
    }

    @Test
    void printConfigShowsWhereEachValueCameFromAndMasksSecrets() throws Exception {
        Path file = dir.resolve("ticksink.properties");
        Files.writeString(file, "kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"u\" password=\"hunter2\";\nkafka.security.protocol=SASL_SSL\n");
        env.put("TICKSINK_TOPIC", "prices");

        assertThat(run("--config", file.toString(), "--print-config", "--kafka-property", "ssl.key.password=s3cret",
                "--group-id", "cli")).isZero();

        assertThat(out()).contains("topic").contains("prices").contains("environment TICKSINK_TOPIC")
                .contains("group-id").contains("cli").contains("command line")
                .contains("kafka.security.protocol=SASL_SSL")
                .contains("kafka.sasl.jaas.config=******").contains("kafka.ssl.key.password=******")
                .doesNotContain("hunter2").doesNotContain("s3cret");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        assertThat(run("--help")).isZero();
        assertThat(out().replaceAll("\\s+", " ")).contains("--bootstrap-servers", "--topic", "--group-id", "--data-dir", "--dlq-topic",
                "--batch-size", "--linger", "--retry-initial", "--retry-max", "--kafka-property", "default: ticks",
                "default: 100ms", "default: 30s");
    }

    @Test
    void versionAndTheLoadGeneratorsHelpArePrintedToTheCommandsOutput() {
        assertThat(run("--version")).isZero();
        assertThat(out()).startsWith("ticksink-consumer " + VersionProvider.version(Main.class));
        out.reset();

        assertThat(run("loadgen", "--help")).isZero();
        assertThat(out().replaceAll("\\s+", " ")).contains("ticksink-consumer loadgen", "--rate", "--count");
        assertThat(err()).isEmpty();
    }

    @Test
    void theLoadGeneratorIsDispatchedFromMainAndABadOptionIsAUsageError() {
        assertThat(run("loadgen", "--rate", "fast", "--bootstrap-servers", "h:1")).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("ticksink-consumer loadgen").contains("not a rate");
    }

    @Test
    void theLogFormatAndBusyTimeoutOptionsAreReadFromTheEnvironmentToo() {
        env.put("TICKSINK_LOG_FORMAT", "json");
        env.put("TICKSINK_BUSY_TIMEOUT", "250ms");

        ConsumerConfig config = parse();

        assertThat(config.logging.logFormat).isEqualTo(LogFormatOption.LogFormat.json);
        assertThat(config.storeOptions().busyTimeout()).isEqualTo(Duration.ofMillis(250));
        err.reset();
        assertThat(run("--log-format", "xml")).isEqualTo(ExitCodes.USAGE);
        assertThat(err()).contains("--log-format").contains("xml");
    }

    @Test
    void theReadmeDocumentsEveryOption() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (CommandLine.Model.OptionSpec option : new CommandLine(new ConsumerConfig()).getCommandSpec().options()) {
            assertThat(readme).as("README mentions " + option.longestName()).contains(option.longestName());
        }
    }

    @Test
    void closingTheKafkaClientsFitsInTheTimeAStopHasBeyondTheShutdownTimeout() {
        assertThat(ConsumerApp.CONSUMER_CLOSE.plus(ConsumerApp.PRODUCER_CLOSE)).isLessThan(Main.CLOSE_GRACE);
    }

    @Test
    void batchBytesReadSizesWithBinaryUnitsAndRejectsOthers() {
        ConsumerConfig.ByteSize size = new ConsumerConfig.ByteSize();
        assertThat(size.convert("32MiB")).isEqualTo(32L << 20);
        assertThat(size.convert("512 KiB")).isEqualTo(512L << 10);
        assertThat(size.convert("4096")).isEqualTo(4096L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> size.convert("32MB"))
                .isInstanceOf(picocli.CommandLine.TypeConversionException.class).hasMessageContaining("KiB, MiB or GiB");
    }
}
