package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final long SEED = 20260119L;

    @Test
    void fastPathSlowPathAndJavaTimeAgreeOnRandomInstantsOffsetsAndFractions() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < 500; i++) {
            long seconds = Timestamps.MIN_MILLIS / 1000
                    + (long) (random.nextDouble() * (Timestamps.MAX_MILLIS_EXCLUSIVE - Timestamps.MIN_MILLIS) / 1000);
            int nanos = random.nextInt(1_000_000_000);
            int offsetMinutes = random.nextInt(5) == 0 ? 0 : random.nextInt(2 * 18 * 60 + 1) - 18 * 60;
            int fractionDigits = random.nextInt(10);
            String text = format(Instant.ofEpochSecond(seconds, nanos), offsetMinutes, fractionDigits, random);

            long expected = OffsetDateTime.parse(text.replace(' ', 'T')).toInstant().toEpochMilli();
            if (expected < Timestamps.MIN_MILLIS || expected >= Timestamps.MAX_MILLIS_EXCLUSIVE) {
                continue; // an offset pushed it over a bound; the bounds have their own tests
            }
            assertThat(Timestamps.parseFast(text)).as(text).isEqualTo(expected);
            assertThat(Timestamps.parseSlow(text)).as(text).isEqualTo(expected);
            assertThat(Timestamps.fromRfc3339(text)).as(text).isEqualTo(expected);
            char[] buffer = ("{\"" + text + "\"}").toCharArray(); // as in a JSON parser's text buffer
            assertThat(Timestamps.fromRfc3339(buffer, 2, text.length())).as(text).isEqualTo(expected);
        }
    }

    @Test
    void charactersInABufferAreRejectedLikeTheStringOfThem() {
        for (String text : new String[] {"1989-12-31T23:59:59.999Z", "2100-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-01-19T10:15:30", "2026-01-19", "x".repeat(500)}) {
            char[] buffer = ("  " + text + "  ").toCharArray();
            TickRejectedException fromString = catchThrowableOfType(TickRejectedException.class,
                    () -> Timestamps.fromRfc3339(text));
            TickRejectedException fromChars = catchThrowableOfType(TickRejectedException.class,
                    () -> Timestamps.fromRfc3339(buffer, 2, text.length()));
            assertThat(fromChars).as(text).isNotNull();
            assertThat(fromChars.reason()).isEqualTo(fromString.reason()).isEqualTo(RejectReason.BAD_TIMESTAMP);
            assertThat(fromChars.getMessage()).isEqualTo(fromString.getMessage());
        }
    }

    @Test
    void fractionsLongerThanNanosecondsAreFlooredLikeTheirFirstThreeDigits() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < 200; i++) {
            String base = "2031-07-0" + (1 + random.nextInt(9)) + "T0" + random.nextInt(10) + ":1" + random.nextInt(10)
                    + ":2" + random.nextInt(10) + ".";
            StringBuilder digits = new StringBuilder();
            int length = 10 + random.nextInt(20);
            for (int k = 0; k < length; k++) {
                digits.append(random.nextInt(10));
            }
            long expected = OffsetDateTime.parse(base + digits.substring(0, 9) + "Z").toInstant().toEpochMilli();
            assertThat(Timestamps.fromRfc3339(base + digits + "Z")).isEqualTo(expected);
        }
    }

    @Test
    void theSlowPathReadsLowercaseSeparatorsLikeTheFastPath() throws Exception {
        assertThat(Timestamps.parseSlow("2026-01-19t10:15:30.5z")).isEqualTo(Timestamps.parseFast("2026-01-19T10:15:30.5Z"));
        assertThat(Timestamps.parseSlow("2026-01-19 10:15:30-02:00")).isEqualTo(Timestamps.parseFast("2026-01-19 10:15:30-02:00"));
    }

    @Test
    void leapDaysAreAcceptedOnlyInLeapYears() throws Exception {
        assertThat(Timestamps.fromRfc3339("2024-02-29T23:59:59.999Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli());
        assertThat(Timestamps.fromRfc3339("2000-02-29T00:00:00Z"))
                .isEqualTo(Instant.parse("2000-02-29T00:00:00Z").toEpochMilli());
        assertThatThrownBy(() -> Timestamps.fromRfc3339("2025-02-29T00:00:00Z")).isInstanceOf(TickRejectedException.class);
        assertThatThrownBy(() -> Timestamps.fromRfc3339("2100-02-29T00:00:00Z")).isInstanceOf(TickRejectedException.class);
        assertThat(Timestamps.isLeapYear(2024)).isTrue();
        assertThat(Timestamps.isLeapYear(2000)).isTrue();
        assertThat(Timestamps.isLeapYear(2100)).isFalse();
        assertThat(Timestamps.isLeapYear(2026)).isFalse();
    }

    @Test
    void everyDayFrom1990To2099HasTheEpochMillisOfJavaTime() throws Exception {
        for (long day = Timestamps.MIN_MILLIS / 86_400_000L; day < Timestamps.MAX_MILLIS_EXCLUSIVE / 86_400_000L; day++) {
            String text = java.time.LocalDate.ofEpochDay(day) + "T00:00:00Z";
            assertThat(Timestamps.parseFast(text)).as(text).isEqualTo(day * 86_400_000L);
        }
    }

    @Test
    void epochNumbersOfEveryUnitNameTheSameMillisecond() throws Exception {
        long millis = 1_768_817_730_123L;
        assertThat(Timestamps.fromEpochNumber(millis / 1000)).isEqualTo(millis / 1000 * 1000);
        assertThat(Timestamps.fromEpochNumber(millis)).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(millis * 1000 + 999)).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(millis * 1_000_000 + 999_999)).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(new BigDecimal("1768817730.123999"))).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(new BigDecimal("1768817730123.999"))).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(new BigDecimal("1768817730123999.9"))).isEqualTo(millis);
        assertThat(Timestamps.fromEpochNumber(new BigDecimal("1768817730123999999.9"))).isEqualTo(millis);
    }

    @Test
    void fractionalEpochNumbersWithExtremeExponentsAreRejectedNotThrown() {
        for (String text : new String[] {"1e-999999999", "1e-2147483647", "1e2147483647", "-1e999999999"}) {
            assertThatThrownBy(() -> Timestamps.fromEpochNumber(new BigDecimal(text)))
                    .as(text)
                    .isInstanceOfSatisfying(TickRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.BAD_TIMESTAMP));
        }
    }

    @Test
    void theMostNegativeLongIsRejected() {
        assertThatThrownBy(() -> Timestamps.fromEpochNumber(Long.MIN_VALUE)).isInstanceOf(TickRejectedException.class);
        assertThatThrownBy(() -> Timestamps.fromEpochNumber(Long.MAX_VALUE)).isInstanceOf(TickRejectedException.class);
    }

    @Test
    void aVeryLongUnreadableTimestampIsAbbreviatedInTheMessage() {
        String text = "x".repeat(10_000);
        assertThatThrownBy(() -> Timestamps.fromRfc3339(text))
                .isInstanceOf(TickRejectedException.class)
                .message().hasSizeLessThan(200);
    }

    /** RFC 3339 text of an instant, seen at an offset, with a random separator and zone spelling. */
    private static String format(Instant instant, int offsetMinutes, int fractionDigits, Random random) {
        OffsetDateTime local = instant.atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
        StringBuilder s = new StringBuilder(local.format(DateTimeFormatter.ofPattern("uuuu-MM-dd")));
        s.append("Tt ".charAt(random.nextInt(3)));
        s.append(local.format(DateTimeFormatter.ofPattern("HH:mm:ss")));
        if (fractionDigits > 0) {
            s.append('.').append(String.format("%09d", local.getNano()), 0, fractionDigits);
        }
        if (offsetMinutes == 0 && random.nextBoolean()) {
            s.append(random.nextBoolean() ? 'Z' : 'z');
        } else {
            int abs = Math.abs(offsetMinutes);
            s.append(offsetMinutes < 0 ? '-' : '+').append(String.format("%02d:%02d", abs / 60, abs % 60));
        }
        return s.toString();
    }
}
