package io.ticksink.schema;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads the timestamp spellings of the data contract into Unix epoch milliseconds. Digits below
 * the millisecond are truncated toward the past, as {@link Instant#toEpochMilli()} does.
 *
 * <p>Pure functions, thread safe.
 */
public final class Timestamps {

    /** The earliest accepted tick time, 1990-01-01T00:00:00Z: anything older is a unit or clock error. */
    public static final long MIN_MILLIS = 631_152_000_000L;
    /** The first rejected tick time, 2100-01-01T00:00:00Z. */
    public static final long MAX_MILLIS_EXCLUSIVE = 4_102_444_800_000L;

    private static final long SECONDS_BELOW = 100_000_000_000L;      // 1e11 s is the year 5138
    private static final long MILLIS_BELOW = 100_000_000_000_000L;   // 1e14
    private static final long MICROS_BELOW = 100_000_000_000_000_000L; // 1e17

    private Timestamps() {
    }

    /** An epoch number in seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. */
    public static long fromEpochNumber(long value) throws TickRejectedException {
        long abs = Math.abs(value);
        long millis;
        if (abs < SECONDS_BELOW) {
            millis = value * 1000L;
        } else if (abs < MILLIS_BELOW) {
            millis = value;
        } else if (abs < MICROS_BELOW) {
            millis = Math.floorDiv(value, 1000L);
        } else {
            millis = Math.floorDiv(value, 1_000_000L);
        }
        return checkRange(millis, value);
    }

    /** A fractional epoch number such as {@code 1768817730.123456}; the unit follows from the integer part. */
    public static long fromEpochNumber(BigDecimal value) throws TickRejectedException {
        try {
            BigDecimal abs = value.abs();
            // scaleByPowerOfTen only moves the scale; movePointLeft/Right would expand 1e2147483647
            // to a whole number (ArithmeticException, or minutes of CPU on a poison record)
            BigDecimal millis;
            if (abs.compareTo(BigDecimal.valueOf(SECONDS_BELOW)) < 0) {
                millis = value.scaleByPowerOfTen(3);
            } else if (abs.compareTo(BigDecimal.valueOf(MILLIS_BELOW)) < 0) {
                millis = value;
            } else if (abs.compareTo(BigDecimal.valueOf(MICROS_BELOW)) < 0) {
                millis = value.scaleByPowerOfTen(-3);
            } else {
                millis = value.scaleByPowerOfTen(-6);
            }
            // check the range before flooring: both bounds are whole, so the outcome is the same,
            // and flooring 1e-999999999 would compute 10^999999996
            if (millis.compareTo(BigDecimal.valueOf(MAX_MILLIS_EXCLUSIVE)) >= 0
                    || millis.compareTo(BigDecimal.valueOf(MIN_MILLIS)) < 0) {
                throw outOfRange(abbreviate(value.toString()));
            }
            return millis.setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw outOfRange(abbreviate(value.toString())); // a scale beyond int range
        }
    }

    /**
     * An RFC 3339 date-time: {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)}, with any
     * number of fraction digits, {@code T}/{@code t}/space as separator and {@code Z}/{@code z}.
     */
    public static long fromRfc3339(String text) throws TickRejectedException {
        long millis = parseFast(text);
        if (millis == Long.MIN_VALUE) {
            millis = parseSlow(text);
        }
        return checkRange(millis, text);
    }

    /**
     * The same, read from {@code length} characters of {@code text} at {@code offset} (a JSON
     * parser's text buffer): the common shape makes no string.
     */
    public static long fromRfc3339(char[] text, int offset, int length) throws TickRejectedException {
        long millis = parseFast(text, offset, length);
        if (millis == Long.MIN_VALUE || millis < MIN_MILLIS || millis >= MAX_MILLIS_EXCLUSIVE) {
            return fromRfc3339(new String(text, offset, length)); // the slow path, or the rejection with the text
        }
        return millis;
    }

    private static long checkRange(long millis, Object original) throws TickRejectedException {
        if (millis < MIN_MILLIS || millis >= MAX_MILLIS_EXCLUSIVE) {
            throw outOfRange(String.valueOf(original));
        }
        return millis;
    }

    private static TickRejectedException outOfRange(String original) {
        return new TickRejectedException(RejectReason.BAD_TIMESTAMP,
                "timestamp " + original + " is outside 1990-01-01..2100-01-01 UTC");
    }

    /** The general path through {@link OffsetDateTime#parse}; package-private so tests compare it with the fast one. */
    static long parseSlow(String text) throws TickRejectedException {
        try {
            return OffsetDateTime.parse(text.replace(' ', 'T'), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new TickRejectedException(RejectReason.BAD_TIMESTAMP,
                    "timestamp \"" + abbreviate(text) + "\" is not an RFC 3339 date-time");
        }
    }

    /**
     * The common shape, parsed without allocating; {@link Long#MIN_VALUE} sends the caller to the slow
     * path. Package-private so tests compare it with the slow one.
     */
    static long parseFast(String s) {
        return parseFast(s.toCharArray(), 0, s.length());
    }

    private static long parseFast(char[] chars, int offset, int n) {
        if (n < 20 || chars[offset + 4] != '-' || chars[offset + 7] != '-' || chars[offset + 13] != ':'
                || chars[offset + 16] != ':') {
            return Long.MIN_VALUE;
        }
        char sep = chars[offset + 10];
        if (sep != 'T' && sep != 't' && sep != ' ') {
            return Long.MIN_VALUE;
        }
        int year = digits(chars, offset, 4);
        int month = digits(chars, offset + 5, 2);
        int day = digits(chars, offset + 8, 2);
        int hour = digits(chars, offset + 11, 2);
        int minute = digits(chars, offset + 14, 2);
        int second = digits(chars, offset + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int fractionMillis = 0;
        if (chars[offset + i] == '.') {
            i++;
            int start = i;
            while (i < n && isDigit(chars[offset + i])) {
                if (i - start < 3) {
                    fractionMillis = fractionMillis * 10 + (chars[offset + i] - '0');
                }
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return Long.MIN_VALUE;
            }
            for (int k = count; k < 3; k++) {
                fractionMillis *= 10;
            }
        }
        if (i >= n) {
            return Long.MIN_VALUE;
        }
        int offsetSeconds;
        char z = chars[offset + i];
        if ((z == 'Z' || z == 'z') && i == n - 1) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && i == n - 6 && chars[offset + i + 3] == ':') {
            int oh = digits(chars, offset + i + 1, 2);
            int om = digits(chars, offset + i + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long epochSeconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second
                - offsetSeconds;
        return epochSeconds * 1000L + fractionMillis;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digits(char[] chars, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = chars[i];
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static boolean isLeapYear(int year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeapYear(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the algorithm of {@code LocalDate.toEpochDay}). */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!isLeapYear(year)) {
                total--;
            }
        }
        return total - 719_528L; // days from year 0 to 1970
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
