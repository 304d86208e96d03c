package io.ticksink.consumer;

import java.time.Duration;
import picocli.CommandLine;

/** Reads duration options with {@link io.ticksink.schema.Durations}, the format every ticksink command shares. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return io.ticksink.schema.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    public static String format(Duration d) {
        return io.ticksink.schema.Durations.format(d);
    }
}
