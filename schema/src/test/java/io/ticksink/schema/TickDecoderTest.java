package io.ticksink.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TickDecoderTest {

    private static final long T = Instant.parse("2026-01-19T10:15:30Z").toEpochMilli();

    private final TickDecoder decoder = new TickDecoder();
    /**
     * The consumer's decoder, fed every value these tests decode, one after another with one parser:
     * it must decode each to the same tick, or reject it for the same reason.
     */
    private final RecordDecoder records = new RecordDecoder(decoder);

    private Tick decode(String json) throws TickRejectedException {
        return decode(json, null);
    }

    private Tick decode(String json, String fallbackSymbol) throws TickRejectedException {
        Tick tick;
        try {
            tick = decoder.decode(json.getBytes(UTF_8), fallbackSymbol);
        } catch (TickRejectedException e) {
            assertThat(recordRejection(json, fallbackSymbol)).as("record decoder's rejection of %s", json)
                    .isEqualTo(e.reason());
            throw e;
        }
        assertThat(records.decode(wrap(json), utf8(fallbackSymbol))).as("record decoder's tick of %s", json)
                .isEqualTo(tick);
        return tick;
    }

    private RejectReason recordRejection(String json, String fallbackSymbol) {
        TickRejectedException e = catchThrowableOfType(TickRejectedException.class,
                () -> records.decode(json == null ? null : wrap(json), utf8(fallbackSymbol)));
        assertThat(e).as("record decoder's rejection of %s", json).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e.reason();
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(UTF_8);
    }

    /** A tick object with the given timestamp JSON value. */
    private static String withTimestamp(String timestampJson) {
        return "{\"symbol\":\"EURUSD\",\"timestamp\":" + timestampJson + ",\"bid\":1.1,\"ask\":1.2}";
    }

    private static ByteBuffer wrap(String json) {
        return ByteBuffer.wrap(json.getBytes(UTF_8));
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private long timestampOf(String timestampJson) throws TickRejectedException {
        return decode(withTimestamp(timestampJson)).timestampMillis();
    }

    private RejectReason rejectionOf(String json, String fallbackSymbol) {
        TickRejectedException e = catchThrowableOfType(TickRejectedException.class,
                () -> decoder.decode(json == null ? null : json.getBytes(UTF_8), fallbackSymbol));
        assertThat(e).as("rejection of %s", json).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        assertThat(recordRejection(json, fallbackSymbol)).as("record decoder's rejection of %s", json)
                .isEqualTo(e.reason());
        return e.reason();
    }

    private RejectReason rejectionOf(String json) {
        return rejectionOf(json, null);
    }

    @Nested
    class AcceptedTimestampSpellings {

        @ParameterizedTest
        @ValueSource(strings = {
            "2026-01-19T10:15:30Z", "2026-01-19t10:15:30z", "2026-01-19 10:15:30Z", "2026-01-19T10:15:30z",
            "2026-01-19t10:15:30Z", "2026-01-19T11:15:30+01:00", "2026-01-19T05:45:30-04:30",
            "2026-01-19T10:15:30+00:00", "2026-01-19T10:15:30-00:00", "2026-01-19 11:15:30+01:00"})
        void rfc3339SeparatorsZonesAndOffsetsAllNameTheSameInstant(String text) throws Exception {
            assertThat(timestampOf(quoted(text))).isEqualTo(T);
        }

        @Test
        void aPositiveOffsetCanMoveTheTickToThePreviousUtcDay() throws Exception {
            long millis = timestampOf(quoted("2026-01-20T01:30:00+02:00"));
            assertThat(millis).isEqualTo(Instant.parse("2026-01-19T23:30:00Z").toEpochMilli());
            assertThat(DayFiles.day(millis)).hasToString("2026-01-19");
        }

        @Test
        void aNegativeOffsetCanMoveTheTickToTheNextUtcDay() throws Exception {
            long millis = timestampOf(quoted("2026-01-19T22:30:00.250-05:00"));
            assertThat(millis).isEqualTo(Instant.parse("2026-01-20T03:30:00.250Z").toEpochMilli());
            assertThat(DayFiles.day(millis)).hasToString("2026-01-20");
        }

        @ParameterizedTest
        @CsvSource({
            "2026-01-19T10:15:30Z, 0",
            "2026-01-19T10:15:30.1Z, 100",
            "2026-01-19T10:15:30.12Z, 120",
            "2026-01-19T10:15:30.123Z, 123",
            "2026-01-19T10:15:30.1239Z, 123",
            "2026-01-19T10:15:30.12399Z, 123",
            "2026-01-19T10:15:30.123999Z, 123",
            "2026-01-19T10:15:30.1239999Z, 123",
            "2026-01-19T10:15:30.12399999Z, 123",
            "2026-01-19T10:15:30.123999999Z, 123",
            "2026-01-19T10:15:30.1239999999999Z, 123",
            "2026-01-19T10:15:30.9999999Z, 999",
            "2026-01-19T10:15:30.0009Z, 0",
            "2026-01-19T10:15:30.999999999-03:00, 10800999",
        })
        void fractionDigitsBelowTheMillisecondAreFlooredNotRounded(String text, long millisAfterT) throws Exception {
            assertThat(timestampOf(quoted(text))).isEqualTo(T + millisAfterT);
        }

        @Test
        void theLeapDayOfALeapYearIsAccepted() throws Exception {
            assertThat(timestampOf(quoted("2024-02-29T12:00:00Z")))
                    .isEqualTo(Instant.parse("2024-02-29T12:00:00Z").toEpochMilli());
            assertThat(timestampOf(quoted("2000-02-29T00:00:00Z")))
                    .isEqualTo(Instant.parse("2000-02-29T00:00:00Z").toEpochMilli());
        }

        @ParameterizedTest
        @CsvSource({
            "1768817730, 1768817730000",
            "1768817730123, 1768817730123",
            "1768817730123456, 1768817730123",
            "1768817730123456789, 1768817730123",
            "1768817730999999, 1768817730999",
            "1768817730999999999, 1768817730999",
            "631152000, 631152000000",
            "4102444799, 4102444799000",
            "631152000000, 631152000000",
        })
        void epochNumbersAreToldApartByMagnitude(String number, long expected) throws Exception {
            assertThat(timestampOf(number)).isEqualTo(expected);
        }

        @ParameterizedTest
        @CsvSource({
            "1768817730.1239, 1768817730123",
            "1768817730.123, 1768817730123",
            "1768817730.1, 1768817730100",
            "1768817730.999999999, 1768817730999",
            "1768817730.0, 1768817730000",
            "1768817730123.9, 1768817730123",
            "1768817730123456.9, 1768817730123",
            "1.7688177301239E9, 1768817730123",
        })
        void fractionalEpochNumbersAreReadExactlyAndFloored(String number, long expected) throws Exception {
            assertThat(timestampOf(number)).isEqualTo(expected);
        }
    }

    @Nested
    class Fields {

        @Test
        void aCompleteObjectBecomesTheTick() throws Exception {
            Tick tick = decode("{\"symbol\":\"EURUSD\",\"timestamp\":\"2026-01-19T10:15:30.5Z\",\"bid\":1.1,"
                    + "\"ask\":1.25,\"spread\":0.2,\"lp_source\":\"LP1\",\"broker_id\":\"B7\"}");
            assertThat(tick).isEqualTo(new Tick("EURUSD", T + 500, 1.1, 1.25, 0.2, "LP1", "B7"));
        }

        @Test
        void lpIsAcceptedAsTheLiquidityProvider() throws Exception {
            assertThat(decode(withTimestamp(quoted("2026-01-19T10:15:30Z")).replace("}", ",\"lp\":\"LP2\"}"))
                    .lpSource()).isEqualTo("LP2");
        }

        @Test
        void lpSourceWinsOverLpWhicheverComesFirst() throws Exception {
            String base = "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,";
            assertThat(decode(base + "\"lp\":\"short\",\"lp_source\":\"long\"}").lpSource()).isEqualTo("long");
            assertThat(decode(base + "\"lp_source\":\"long\",\"lp\":\"short\"}").lpSource()).isEqualTo("long");
        }

        @Test
        void optionalFieldsAreNullWhenAbsent() throws Exception {
            Tick tick = decode(withTimestamp("1768817730"));
            assertThat(tick.lpSource()).isNull();
            assertThat(tick.brokerId()).isNull();
        }

        @Test
        void spreadIsAskMinusBidWhenAbsent() throws Exception {
            assertThat(decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1.5,\"ask\":1.75}").spread())
                    .isEqualTo(0.25);
        }

        @Test
        void aGivenSpreadIsKeptEvenWhenItDiffersFromAskMinusBid() throws Exception {
            assertThat(decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"spread\":7}").spread())
                    .isEqualTo(7.0);
        }

        @Test
        void unknownFieldsOfEveryShapeAreIgnored() throws Exception {
            Tick tick = decode("{\"venue\":\"X\",\"meta\":{\"a\":[1,{\"bid\":\"no\"}],\"symbol\":5},"
                    + "\"symbol\":\"EURUSD\",\"levels\":[[1,2],[3,4]],\"timestamp\":1768817730,\"flag\":true,"
                    + "\"bid\":1,\"n\":null,\"ask\":2,\"deep\":{\"x\":{\"y\":{}}}}");
            assertThat(tick.symbol()).isEqualTo("EURUSD");
            assertThat(tick.bid()).isEqualTo(1.0);
            assertThat(tick.ask()).isEqualTo(2.0);
        }

        @Test
        void nullFieldsAreTreatedAsAbsent() throws Exception {
            Tick tick = decode("{\"symbol\":null,\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"spread\":null,"
                    + "\"lp_source\":null,\"lp\":\"LP\",\"broker_id\":null}", "KEY");
            assertThat(tick).isEqualTo(new Tick("KEY", 1768817730000L, 1, 2, 1, "LP", null));
        }

        @Test
        void aNullRequiredFieldIsMissing() {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":null,\"bid\":1,\"ask\":2}"))
                    .isEqualTo(RejectReason.MISSING_FIELD);
        }

        @Test
        void theSymbolComesFromTheFallbackWhenTheObjectHasNone() throws Exception {
            assertThat(decode("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}", "GBPUSD").symbol()).isEqualTo("GBPUSD");
        }

        @Test
        void theSymbolInTheObjectWinsOverTheFallback() throws Exception {
            assertThat(decode(withTimestamp("1768817730"), "GBPUSD").symbol()).isEqualTo("EURUSD");
        }

        @Test
        void aRecordKeyIsTheSymbolOnlyWhenTheValueHasNone() throws Exception {
            byte[] key = "GBPUSD".getBytes(UTF_8);
            assertThat(records.decode(wrap("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}"), key)
                    .symbol()).isEqualTo("GBPUSD");
            assertThat(records.decode(wrap(withTimestamp("1768817730")), key).symbol()).isEqualTo("EURUSD");
            assertThat(catchThrowableOfType(TickRejectedException.class, () -> records.decode(
                    wrap("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}"), null)).reason())
                    .isEqualTo(RejectReason.MISSING_FIELD);
        }

        @Test
        void pricesAreTheNearestDoubleLikeDoubleParseDouble() throws Exception {
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            for (int i = 0; i < 20_000; i++) {
                String text = switch (i % 4) {
                    case 0 -> Double.toString(random.nextDouble() * 1000);
                    case 1 -> String.format(java.util.Locale.ROOT, "%.5f", random.nextDouble() * 2);
                    case 2 -> Double.toString(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL));
                    default -> random.nextInt(100_000) + "." + random.nextInt(1_000_000_000) + "e-" + random.nextInt(30);
                };
                Tick tick = decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":" + text + ",\"ask\":" + text + "}");
                assertThat(tick.bid()).as(text).isEqualTo(Double.parseDouble(text));
            }
        }

        @Test
        void aFallbackSymbolIsCheckedLikeAnyOther() {
            assertThat(rejectionOf("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}", "")).isEqualTo(RejectReason.BAD_SYMBOL);
        }

        @Test
        void aSymbolOf64CharactersAndUnicodeIsAccepted() throws Exception {
            String symbol = "€".repeat(64);
            assertThat(decode("{\"symbol\":\"" + symbol + "\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2}").symbol())
                    .isEqualTo(symbol);
        }

        @Test
        void negativeAndZeroPricesAreFiniteAndAccepted() throws Exception {
            Tick tick = decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":-0.5,\"ask\":0}");
            assertThat(tick.bid()).isEqualTo(-0.5);
            assertThat(tick.spread()).isEqualTo(0.5);
        }

        @Test
        void integerPricesAndExponentsAreNumbers() throws Exception {
            Tick tick = decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":1.5e0}");
            assertThat(tick.bid()).isEqualTo(1.0);
            assertThat(tick.ask()).isEqualTo(1.5);
        }
    }

    @Nested
    class Rejections {

        @ParameterizedTest
        @ValueSource(strings = {"not json", "{", "{\"symbol\":", "[{\"symbol\":\"X\"}]", "\"a string\"", "42", "null",
            "true", "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2} trailing",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2}{}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2}]", "{\"symbol\" \"X\"}", "\u00ff\u00fe"})
        void textThatIsNotOneJsonObjectIsNotJson(String text) {
            assertThat(rejectionOf(text)).isEqualTo(RejectReason.NOT_JSON);
        }

        @Test
        void anEmptyOrAbsentValueIsNotJson() {
            assertThat(rejectionOf("")).isEqualTo(RejectReason.NOT_JSON);
            assertThat(rejectionOf(null)).isEqualTo(RejectReason.NOT_JSON);
            assertThat(rejectionOf("   ")).isEqualTo(RejectReason.NOT_JSON);
        }

        @Test
        void aMissingSymbolWithoutFallbackIsMissing() {
            assertThat(rejectionOf("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}")).isEqualTo(RejectReason.MISSING_FIELD);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"symbol\":\"X\",\"bid\":1,\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1}",
            "{}"})
        void aMissingTimestampBidOrAskIsMissing(String json) {
            assertThat(rejectionOf(json, "FALLBACK")).isEqualTo(RejectReason.MISSING_FIELD);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":\"1.1\",\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":[2]}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"spread\":\"1\"}",
            "{\"symbol\":\"X\",\"timestamp\":true,\"bid\":1,\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":{\"s\":1768817730},\"bid\":1,\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":[1768817730],\"bid\":1,\"ask\":2}",
            "{\"symbol\":42,\"timestamp\":1768817730,\"bid\":1,\"ask\":2}",
            "{\"symbol\":{\"name\":\"X\"},\"timestamp\":1768817730,\"bid\":1,\"ask\":2}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"lp\":7}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"lp_source\":false}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"broker_id\":12}"})
        void aFieldOfTheWrongJsonTypeIsAWrongType(String json) {
            assertThat(rejectionOf(json, "FALLBACK")).isEqualTo(RejectReason.WRONG_TYPE);
        }

        @Test
        void aWrongTypeIsReportedEvenWhenTheSymbolIsMissing() {
            assertThat(rejectionOf("{\"timestamp\":1768817730,\"bid\":\"x\",\"ask\":2}")).isEqualTo(RejectReason.WRONG_TYPE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400", "+INF"})
        void aPriceThatIsNotAFiniteDoubleIsNotFinite(String price) {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":" + price + ",\"ask\":2}"))
                    .isEqualTo(RejectReason.NOT_FINITE);
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":" + price + "}"))
                    .isEqualTo(RejectReason.NOT_FINITE);
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"spread\":" + price + "}"))
                    .isEqualTo(RejectReason.NOT_FINITE);
        }

        @Test
        void aComputedSpreadThatOverflowsIsNotFinite() {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":-1.7e308,\"ask\":1.7e308}"))
                    .isEqualTo(RejectReason.NOT_FINITE);
        }

        @Test
        void aPriceWrittenWithFourHundredDigitsIsNotFinite() {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1" + "0".repeat(400) + ",\"ask\":2}"))
                    .isEqualTo(RejectReason.NOT_FINITE);
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "\"1989-12-31T23:59:59.999Z\"", "\"2100-01-01T00:00:00Z\"", "\"2099-12-31T23:00:00-01:00\"",
            "\"1990-01-01T00:30:00+01:00\"", "\"2026-02-30T10:00:00Z\"", "\"2025-02-29T10:00:00Z\"",
            "\"1900-02-29T10:00:00Z\"", "\"2026-01-19T24:00:00Z\"", "\"2026-01-19T23:60:00Z\"",
            "\"2026-01-19T23:59:61Z\"", "\"2026-13-01T00:00:00Z\"", "\"2026-00-10T00:00:00Z\"",
            "\"2026-01-00T00:00:00Z\"", "\"2026-04-31T00:00:00Z\"", "\"2026-01-19\"", "\"2026-01-19T10:15:30\"",
            "\"2026-01-19T10:15:30ZZ\"", "\"2026-01-19T10:15:30+0100\"",
            "\"2026-01-19X10:15:30Z\"", "\"yesterday\"", "\"\"", "\"1768817730\"",
            "\"2026-01-19T10:15:30+25:00\"", "\"2026-01-19T10:15:30+01:60\"",
            "0", "-1768817730", "631151999", "631151999999", "4102444800", "4102444800000",
            "4102444800000000", "4102444800000000000", "631151999999999999", "99999999999",
            "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e400", "NaN", "-Infinity",
            "1.5", "1e-2147483648", "1e-999999999", "1e2147483647", "1e-400", "631151999.9999"})
        void aTimestampOutsideTheAcceptedRangeOrCalendarIsBad(String timestampJson) {
            assertThat(rejectionOf(withTimestamp(timestampJson))).isEqualTo(RejectReason.BAD_TIMESTAMP);
        }

        @Test
        void theRangeBoundsAreInclusiveBelowAndExclusiveAbove() throws Exception {
            assertThat(timestampOf(quoted("1990-01-01T00:00:00Z"))).isEqualTo(Timestamps.MIN_MILLIS);
            assertThat(timestampOf(quoted("2099-12-31T23:59:59.999Z"))).isEqualTo(Timestamps.MAX_MILLIS_EXCLUSIVE - 1);
            assertThat(timestampOf(String.valueOf(Timestamps.MIN_MILLIS))).isEqualTo(Timestamps.MIN_MILLIS);
            assertThat(timestampOf(String.valueOf(Timestamps.MAX_MILLIS_EXCLUSIVE - 1)))
                    .isEqualTo(Timestamps.MAX_MILLIS_EXCLUSIVE - 1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"\"", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
            "\"EUR\\u0000USD\"", "\"EURUSD\\n\"", "\"\\tEURUSD\"", "\"EUR\\u007fUSD\"", "\"EUR\\u0085USD\""})
        void anEmptyTooLongOrControlCharacterSymbolIsBad(String symbolJson) {
            assertThat(rejectionOf("{\"symbol\":" + symbolJson + ",\"timestamp\":1768817730,\"bid\":1,\"ask\":2}"))
                    .isEqualTo(RejectReason.BAD_SYMBOL);
        }

        @ParameterizedTest
        @ValueSource(strings = {"lp_source", "lp", "broker_id"})
        void aFreeTextFieldOf256CharactersIsKeptAndOneOf257IsTooLong(String field) throws Exception {
            String longest = "€" + "B".repeat(255);
            Tick tick = decode("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"" + field + "\":\""
                    + longest + "\"}");
            assertThat(field.equals("broker_id") ? tick.brokerId() : tick.lpSource()).isEqualTo(longest);

            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"" + field + "\":\""
                    + longest + "B\"}")).isEqualTo(RejectReason.TOO_LONG);
        }

        @ParameterizedTest
        @ValueSource(strings = {"lp_source", "broker_id", "symbol", "timestamp"})
        void aMegabyteStringInAKnownFieldIsTooLong(String field) {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"" + field + "\":\""
                    + "A".repeat(1 << 20) + "\"}")).isEqualTo(RejectReason.TOO_LONG);
        }

        @Test
        void aNumberOfTwoThousandDigitsIsTooLong() {
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1" + "0".repeat(2000) + ",\"ask\":2}"))
                    .isEqualTo(RejectReason.TOO_LONG);
        }

        @Test
        void anUnknownFieldNestedDeeperThan64IsTooLong() {
            String deep = "[".repeat(100) + "]".repeat(100);
            assertThat(rejectionOf("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"extra\":" + deep + "}"))
                    .isEqualTo(RejectReason.TOO_LONG);
        }

        @Test
        void theSixtyFiveCharacterSymbolOfTheTestAboveReallyHas65Characters() {
            assertThat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").hasSize(65);
        }
    }

    @Nested
    class Streaming {

        @Test
        void aRejectedElementInTheMiddleOfAnArrayLeavesTheParserReadyForTheNextElement() throws Exception {
            String array = "[{\"symbol\":\"A\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2},"
                    + "{\"symbol\":\"B\",\"timestamp\":{\"nested\":[1,{\"x\":2}]},\"bid\":\"x\",\"ask\":2,\"more\":[[]]},"
                    + "{\"symbol\":\"C\",\"bid\":1,\"ask\":2,\"extra\":{\"deep\":[1]}},"
                    + "[1,2,{\"symbol\":\"inner\"}],"
                    + "17,"
                    + "{\"timestamp\":1768817731,\"bid\":1,\"ask\":2},"
                    + "{\"symbol\":\"E\",\"timestamp\":\"1900-01-01T00:00:00Z\",\"bid\":1,\"ask\":2}]";
            List<String> outcomes = new ArrayList<>();
            try (JsonParser parser = decoder.factory().createParser(array)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_ARRAY);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    try {
                        outcomes.add(decoder.decodeObject(parser, "FROM_DIR").symbol());
                    } catch (TickRejectedException e) {
                        outcomes.add(e.reason().name());
                    }
                }
                assertThat(parser.nextToken()).isNull();
            }
            assertThat(outcomes).containsExactly("A", "WRONG_TYPE", "MISSING_FIELD", "NOT_JSON", "NOT_JSON",
                    "FROM_DIR", "BAD_TIMESTAMP");
        }

        @Test
        void malformedJsonInsideAnElementIsAnIoException() throws Exception {
            try (JsonParser parser = decoder.factory().createParser("[{\"symbol\":\"A\" \"bid\":1}]")) {
                parser.nextToken();
                parser.nextToken();
                assertThat(catchThrowableOfType(java.io.IOException.class, () -> decoder.decodeObject(parser, null)))
                        .isNotNull();
            }
        }
    }
}
