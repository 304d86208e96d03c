package io.ticksink.consumer;

import io.ticksink.cli.BusyTimeoutOption;
import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import io.ticksink.cli.LogFormatOption;
import io.ticksink.cli.VersionProvider;
import io.ticksink.schema.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every option of the consumer with its default and documentation, in one place. Values come from
 * the command line, then {@code TICKSINK_*} environment variables, then the {@code --config}
 * properties file, then the defaults below ({@link ConfigSources}). {@link #validate()} rejects
 * bad values at start-up with a message that names the option.
 */
@Command(name = "ticksink-consumer", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpWidth = 110,
        description = {
            "Consumes JSON ticks from a Kafka topic into daily SQLite databases,",
            "<data-dir>/YYYY/MM/ticks_YYYY-MM-DD.db, exactly once.",
            "Without --bootstrap-servers it starts an embedded single-node Kafka broker.",
            "",
            "Every option can also be set as an environment variable TICKSINK_<OPTION> (e.g. TICKSINK_DATA_DIR)",
            "or in the --config properties file (key = option name, e.g. data-dir=/var/lib/ticksink;",
            "Kafka client properties as kafka.<property>=value). Command line > environment > file > default."
        })
public final class ConsumerConfig {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers. Without it, an embedded single-node broker is started on 127.0.0.1.")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "ticks", paramLabel = "TOPIC", description = "Topic to consume (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--group-id", defaultValue = "ticksink", paramLabel = "GROUP", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--group-instance-id", paramLabel = "ID",
            description = "Static group membership id (e.g. the pod name): a restart within the session timeout keeps its partitions.")
    String groupInstanceId;

    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "Where the daily databases live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC",
            description = "Dead-letter topic for records that cannot be decoded (default: <topic>.dlq).")
    String dlqTopic;

    @Option(names = "--dlq-create", arity = "0..1", defaultValue = "false", fallbackValue = "true", paramLabel = "true|false",
            description = "Create the dead-letter topic at start when it is missing, with the partitions and replication "
                    + "factor of --topic. Without it, a missing dead-letter topic stops the start with exit status "
                    + ExitCodes.FATAL + " "
                    + "(default: ${DEFAULT-VALUE}; always on with the embedded broker).")
    boolean dlqCreate;

    @Option(names = "--dlq-timeout", defaultValue = "10s", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest one attempt to publish a batch's dead letters waits for the topic; an attempt that "
                    + "times out is retried with the write backoff (default: ${DEFAULT-VALUE}).")
    Duration dlqTimeout;

    @Option(names = "--batch-size", defaultValue = "20000", paramLabel = "N",
            description = "Most records written in one batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-bytes", defaultValue = "32MiB", converter = ByteSize.class, paramLabel = "SIZE",
            description = "Most bytes of records (their serialized keys and values) in one batch, so that large records "
                    + "cannot fill the heap; one batch is collected while another is written (default: ${DEFAULT-VALUE}).")
    long batchBytes;

    @Option(names = "--linger", defaultValue = "0ms", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest a record waits for more to join its batch once the consumer has caught up; "
                    + "0 writes what each poll brings (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Option(names = "--retry-initial", defaultValue = "100ms", converter = Durations.class, paramLabel = "DURATION",
            description = "First delay after a failed write; doubles per attempt, with jitter (default: ${DEFAULT-VALUE}).")
    Duration retryInitial;

    @Option(names = "--retry-max", defaultValue = "30s", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest delay between write attempts; writes are retried until they succeed (default: ${DEFAULT-VALUE}).")
    Duration retryMax;

    @Option(names = "--auto-offset-reset", defaultValue = "earliest", paramLabel = "earliest|latest",
            description = "Where a group without committed offsets starts (default: ${DEFAULT-VALUE}).")
    String autoOffsetReset;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A Kafka client property, repeatable (e.g. security.protocol=SASL_SSL). Overrides kafka.* file keys.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--sqlite-synchronous", defaultValue = "FULL", paramLabel = "FULL|NORMAL",
            description = "SQLite synchronous mode. FULL (default) makes each committed batch survive a power loss.")
    StoreOptions.Synchronous synchronous;

    @Mixin
    BusyTimeoutOption busy;

    @Option(names = "--max-open-files", defaultValue = "16", paramLabel = "N",
            description = "Day databases kept open at once (default: ${DEFAULT-VALUE}).")
    int maxOpenFiles;

    @Option(names = "--idle-close", defaultValue = "5m", converter = Durations.class, paramLabel = "DURATION",
            description = "Close a day database not written for this long (default: ${DEFAULT-VALUE}).")
    Duration idleClose;

    @Option(names = "--shutdown-timeout", defaultValue = "30s", converter = Durations.class, paramLabel = "DURATION",
            description = "On SIGTERM, longest wait for the batch in hand to be written and committed (default: ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(names = "--http-address", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Address of the metrics and health endpoint (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Option(names = "--http-port", defaultValue = "9400", paramLabel = "PORT",
            description = "Port of /metrics, /health/live and /health/ready; 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Mixin
    LogFormatOption logging;

    @Option(names = "--partitions", defaultValue = "3", paramLabel = "N",
            description = "Embedded broker only: partitions of the topic it creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--demo", defaultValue = "0", paramLabel = "N",
            description = "Publish N synthetic ticks, print a summary once they are stored, then exit.")
    long demo;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option values (also TICKSINK_CONFIG).")
    Path configFile;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
    boolean printConfig;

    public String dlqTopic() {
        return dlqTopic != null ? dlqTopic : topic + ".dlq";
    }

    public boolean embedded() {
        return bootstrapServers == null || bootstrapServers.isBlank();
    }

    public StoreOptions storeOptions() {
        return StoreOptions.defaults()
                .withSynchronous(synchronous)
                .withBusyTimeout(busy.busyTimeout)
                .withMaxOpenFiles(maxOpenFiles);
    }

    /** Checks every value; the exception names the option at fault. */
    public void validate() {
        require(!topic.isBlank(), "--topic must not be empty");
        require(!groupId.isBlank(), "--group-id must not be empty");
        require(!dlqTopic().equals(topic), "--dlq-topic must differ from --topic (" + topic + ")");
        require(dlqTimeout.compareTo(Duration.ofSeconds(1)) >= 0 && dlqTimeout.compareTo(Duration.ofHours(1)) <= 0,
                "--dlq-timeout must be between 1s and 1h, is " + Durations.format(dlqTimeout));
        require(batchSize >= 1, "--batch-size must be at least 1, is " + batchSize);
        require(batchBytes >= 1024, "--batch-bytes must be at least 1KiB, is " + batchBytes);
        require(!linger.isNegative(), "--linger must not be negative");
        require(!retryInitial.isNegative() && !retryInitial.isZero(), "--retry-initial must be positive");
        require(retryMax.compareTo(retryInitial) >= 0, "--retry-initial (" + Durations.format(retryInitial)
                + ") must not exceed --retry-max (" + Durations.format(retryMax) + ")");
        require(autoOffsetReset.equals("earliest") || autoOffsetReset.equals("latest"),
                "--auto-offset-reset must be earliest or latest, is " + autoOffsetReset);
        require(maxOpenFiles >= 1, "--max-open-files must be at least 1, is " + maxOpenFiles);
        require(!shutdownTimeout.isNegative() && !shutdownTimeout.isZero(), "--shutdown-timeout must be positive");
        require(httpPort >= -1 && httpPort <= 65535, "--http-port must be -1..65535, is " + httpPort);
        require(partitions >= 1, "--partitions must be at least 1, is " + partitions);
        require(demo >= 0, "--demo must not be negative");
        require(demo == 0 || embedded(), "--demo publishes to the embedded broker; it cannot be combined with --bootstrap-servers");
        for (String key : kafkaProperties.keySet()) {
            require(!key.isBlank(), "--kafka-property needs KEY=VALUE");
        }
        if (Files.exists(dataDir)) {
            require(Files.isDirectory(dataDir), "--data-dir " + dataDir + " is not a directory");
            require(Files.isWritable(dataDir), "--data-dir " + dataDir + " is not writable");
        }
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /** Reads sizes such as {@code 1048576}, {@code 512KiB}, {@code 32MiB} or {@code 1GiB}. */
    static final class ByteSize implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB)").matcher(value.strip());
            if (!m.matches()) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a size: give a number of bytes, optionally with KiB, MiB or GiB");
            }
            int shift = switch (m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                default -> 0;
            };
            long number = Long.parseLong(m.group(1));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is too large");
            }
            return number << shift;
        }
    }
}
