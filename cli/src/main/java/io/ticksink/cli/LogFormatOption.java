package io.ticksink.cli;

import picocli.CommandLine.Option;

/**
 * {@code --log-format text|json}: the console log layout, as a mixin
 * ({@code @Mixin LogFormatOption logging}). {@link #apply()} must run before anything logs: Log4j
 * reads its configuration once, at its first use. {@code json} selects {@value #JSON_CONFIG}, which
 * the jar that mixes this option in must carry with the JSON layout it names.
 */
public final class LogFormatOption {

    /** The Log4j configuration resource {@code --log-format json} selects. */
    public static final String JSON_CONFIG = "log4j2-json.xml";

    /** The layouts. Lower case, as they are written on the command line. */
    public enum LogFormat { text, json }

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "Console log layout: text for people, json (one object per line) for log shippers "
                    + "(default: ${DEFAULT-VALUE}).")
    public LogFormat logFormat;

    /** Points Log4j at the configuration of the chosen layout; call before the first logger is made. */
    public void apply() {
        if (logFormat == LogFormat.json) {
            System.setProperty("log4j2.configurationFile", JSON_CONFIG);
        }
    }
}
