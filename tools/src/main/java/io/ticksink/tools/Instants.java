package io.ticksink.tools;

import io.ticksink.schema.TickRejectedException;
import io.ticksink.schema.Timestamps;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads and prints instants for the command line. Input: Unix epoch milliseconds, an RFC 3339
 * date-time, or a date {@code YYYY-MM-DD} meaning its first millisecond (UTC). Output: RFC 3339
 * in UTC with exactly three fraction digits, which the decoder reads back. Thread safe.
 */
final class Instants implements ITypeConverter<Long> {

    private static final DateTimeFormatter PRINT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String text) {
        String value = text.strip();
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' is too large for epoch milliseconds");
            }
        }
        if (value.length() == 10) {
            try {
                return LocalDate.parse(value).toEpochDay() * 86_400_000L;
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + text + "' is not a date YYYY-MM-DD");
            }
        }
        try {
            return Timestamps.fromRfc3339(value);
        } catch (TickRejectedException e) {
            throw new TypeConversionException("'" + text
                    + "' is neither epoch milliseconds, an RFC 3339 date-time nor a date YYYY-MM-DD");
        }
    }

    static String print(long epochMillis) {
        return PRINT.format(java.time.Instant.ofEpochMilli(epochMillis));
    }
}
