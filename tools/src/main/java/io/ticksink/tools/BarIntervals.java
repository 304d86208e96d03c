package io.ticksink.tools;

import io.ticksink.cli.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --interval} as a bar length in milliseconds: a duration (1s, 1m, 5m, 15m, 1h, 1d,
 * ...) that divides a UTC day evenly, so bars start at multiples of it from midnight UTC and
 * never straddle two days. Thread safe.
 */
final class BarIntervals implements ITypeConverter<Long> {

    private static final long DAY_MILLIS = 86_400_000L;

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0 || d.getNano() % 1_000_000 != 0
                || DAY_MILLIS % d.toMillis() != 0) {
            throw new TypeConversionException("'" + text
                    + "' is not a bar interval; give one that divides a day evenly: 1s, 1m, 5m, 15m, 1h, 1d ...");
        }
        long millis = d.toMillis();
        return millis;
    }
}
