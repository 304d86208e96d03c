package io.ticksink.tools;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Reads {@code --format}. */
final class Formats {

    private Formats() {
    }

    static TickFormat parse(CommandSpec spec, String value) {
        try {
            return TickFormat.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format must be csv or json, not '" + value + "'");
        }
    }
}
