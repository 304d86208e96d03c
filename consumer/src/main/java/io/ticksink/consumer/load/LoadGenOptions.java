package io.ticksink.consumer.load;

import io.ticksink.cli.Durations;
import io.ticksink.cli.VersionProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * Options of {@code ticksink-consumer loadgen}, the load generator: every option with its
 * default and documentation; {@link #validate()} rejects bad values naming the option.
 */
@Command(name = "ticksink-consumer loadgen", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpWidth = 110,
        description = {
            "Publishes synthetic JSON ticks keyed by symbol (so a symbol lives in one partition) at a steady rate,",
            "prints progress, and a summary of what was sent and acknowledged. Deterministic: the same --seed,",
            "--symbols, --start and --step give the same ticks. Stops after --count ticks or --duration,",
            "whichever comes first, or on Ctrl-C / SIGTERM (after waiting for the acknowledgements in flight)."
        })
public final class LoadGenOptions {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "ticks", description = "Topic to publish to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "unlimited", converter = RateConverter.class, paramLabel = "N[/s]|unlimited",
            description = "Ticks per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", paramLabel = "N", description = "Ticks to publish (default: no limit).")
    Long count;

    @Option(names = "--duration", converter = Durations.class, paramLabel = "DURATION",
            description = "Longest time to publish, e.g. 30s or 5m (default: no limit).")
    Duration duration;

    @Option(names = "--symbols", defaultValue = "64", paramLabel = "N",
            description = "Distinct symbols, taken in turn (default: ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--start", defaultValue = "2026-01-19T00:00:00Z", paramLabel = "INSTANT",
            description = "Timestamp of the first tick, RFC 3339 (default: ${DEFAULT-VALUE}).")
    Instant start;

    @Option(names = "--step", defaultValue = "1ms", converter = Durations.class, paramLabel = "DURATION",
            description = "Event time between consecutive ticks (default: ${DEFAULT-VALUE}); 86,400,000 ticks fill a day at 1ms.")
    Duration step;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the prices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--progress", defaultValue = "5s", converter = Durations.class, paramLabel = "DURATION",
            description = "Interval of the progress lines; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration progress;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A Kafka producer property, repeatable (e.g. security.protocol=SASL_SSL, linger.ms=20).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** Checks every value; the exception names the option at fault. */
    public void validate() {
        require(!topic.isBlank(), "--topic must not be empty");
        require(count == null || count >= 0, "--count must not be negative, is " + count);
        require(duration == null || !duration.isNegative(), "--duration must not be negative");
        require(symbols >= 1, "--symbols must be at least 1, is " + symbols);
        require(!step.isNegative(), "--step must not be negative");
        require(!progress.isNegative(), "--progress must not be negative");
        for (String key : kafkaProperties.keySet()) {
            require(!key.isBlank(), "--kafka-property needs KEY=VALUE");
        }
    }

    private void require(boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /** The generator these options describe: the same options always give the same ticks. */
    public SyntheticTicks ticks() {
        return new SyntheticTicks(seed, symbols, start, step.toNanos());
    }

    /** Reads {@code 5000}, {@code 5000/s} or {@code unlimited} (read as 0). */
    public static final class RateConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String text = value.strip().toLowerCase(Locale.ROOT);
            if (text.equals("unlimited")) {
                return 0.0;
            }
            if (text.endsWith("/s")) {
                text = text.substring(0, text.length() - 2);
            }
            try {
                double rate = Double.parseDouble(text);
                if (rate > 0 && !Double.isInfinite(rate)) {
                    return rate;
                }
            } catch (NumberFormatException e) {
                // the message below says what is accepted
            }
            throw new TypeConversionException("'" + value + "' is not a rate; write it as 5000, 5000/s or unlimited");
        }
    }
}
