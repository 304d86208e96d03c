package io.ticksink.consumer;

import io.ticksink.cli.Durations;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --print-config}: the effective configuration, where each value came from, secrets masked. */
final class PrintConfig {

    private PrintConfig() {
    }

    static void print(CommandLine cmd, CommandLine.ParseResult parsed, ConfigSources sources, ConsumerConfig config,
                      PrintStream out) {
        out.println("# effective ticksink-consumer configuration");
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || name.equals("--print-config")
                    || name.equals("--kafka-property")) {
                continue;
            }
            Object value = option.getValue();
            if (name.equals("--dlq-topic")) {
                value = config.dlqTopic();
            }
            String shown = value == null ? "" : value instanceof java.time.Duration d ? Durations.format(d) : value.toString();
            out.printf("%-22s %-30s # %s%n", name.substring(2), shown, sources.sourceOf(option, parsed.hasMatchedOption(option)));
        }
        Map<String, String> kafka = new TreeMap<>(config.kafkaProperties);
        for (Map.Entry<String, String> e : kafka.entrySet()) {
            out.printf("kafka.%s=%s%n", e.getKey(), KafkaSecrets.shown(e.getKey(), e.getValue()));
        }
    }
}
