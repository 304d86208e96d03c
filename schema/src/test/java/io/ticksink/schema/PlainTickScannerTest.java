package io.ticksink.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scanner decodes what it accepts exactly as {@link TickDecoder} does, and declines the rest. */
class PlainTickScannerTest {

    private static final byte[] KEY = "GBPUSD".getBytes(UTF_8);

    private final TickDecoder decoder = new TickDecoder();
    private final PlainTickScanner scanner = new PlainTickScanner(decoder.strings());

    private Tick scan(String json, byte[] key) {
        byte[] bytes = ("<>" + json + "<>").getBytes(UTF_8); // a region of a larger buffer, as Kafka's are
        return scanner.scan(bytes, 2, bytes.length - 4, key);
    }

    /** The reference: Jackson's decoding of the whole value, or null when it rejects it. */
    private Tick reference(String json, byte[] key) {
        try {
            byte[] bytes = json.getBytes(UTF_8);
            return decoder.decode(bytes, 0, bytes.length, null, key);
        } catch (TickRejectedException e) {
            return null;
        }
    }

    @Test
    void theFormsProducersWriteAreScannedToTheTickJacksonDecodes() {
        String[] plain = {
            "{\"symbol\":\"EURUSD\",\"bid\":1.08512,\"ask\":1.08514,\"spread\":0.00002,"
                    + "\"timestamp\":\"2026-01-19T10:15:30.123Z\",\"lp\":\"LP-1\",\"broker_id\":\"BROKER-001\"}",
            "{\"symbol\":\"EURUSD\",\"timestamp\":\"2026-01-19T10:15:30.123456789+02:00\",\"bid\":1.0654,\"ask\":1.0655,"
                    + "\"lp_source\":\"LP-1\"}",
            "{ \"symbol\" : \"XAUUSD\" ,\n  \"timestamp\" : 1768817730123 ,\n  \"bid\" : 2000 ,\n  \"ask\" : 2000.35 }\n",
            "\t{\"timestamp\":1768817730,\"bid\":150.123,\"ask\":150.125,\"venue\":\"X\",\"seq\":42}\r\n",
            "{\"symbol\":\"EURUSD\",\"bid\":1.08512,\"ask\":1.08514,\"spread\":2.0E-5,\"timestamp\":1768817730123}",
            "{\"symbol\":\"X\",\"bid\":1.5e0,\"ask\":15E-1,\"spread\":0e7,\"timestamp\":1768817730123}",
            "{\"symbol\":\"BTCUSD\",\"timestamp\":\"2026-01-19 10:15:30Z\",\"bid\":60000.5,\"ask\":60001,\"lp\":\"a\","
                    + "\"lp_source\":\"b\",\"broker_id\":\"\"}",
        };
        for (String json : plain) {
            Tick scanned = scan(json, KEY);
            assertThat(scanned).as(json).isNotNull().isEqualTo(reference(json, KEY));
        }
        assertThat(scan(plain[3], KEY).symbol()).isEqualTo("GBPUSD");
        assertThat(scan(plain[4], KEY).spread()).isEqualTo(2.0E-5);
        assertThat(scan(plain[6], KEY).lpSource()).isEqualTo("b");
        assertThat(scan(plain[0], KEY).symbol()).isSameAs(scan(plain[0], KEY).symbol());
    }

    @Test
    void whatIsNotPlainOrWouldBeRejectedIsDeclined() {
        String good = "\"timestamp\":1768817730,\"bid\":1.5,\"ask\":1.6";
        String[] declined = {
            "{" + good + ",\"symbol\":\"EUR\\u0055SD\"}", // an escape
            "{" + good + ",\"symbol\":\"EURÜSD\"}", // non-ASCII
            "{" + good + ",\"symbol\":\"EUR\u007fUSD\"}", // a control character
            "{" + good + ",\"symbol\":\"\"}",
            "{" + good + ",\"symbol\":\"" + "S".repeat(65) + "\"}",
            "{" + good + ",\"symbol\":null}",
            "{" + good + ",\"bid\":1.5}", // twice
            "{\"timestamp\":1768817730,\"bid\":-1.5,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1.5e,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1.5e+,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1.5e-23,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1e23,\"ask\":1.6}",
            "{\"timestamp\":1768817730e0,\"bid\":1.5,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":01.5,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1.,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":1.2345678901234567,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":0.00000000000000000000001,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"bid\":\"1.5\",\"ask\":1.6}",
            "{\"timestamp\":1768817730.5,\"bid\":1.5,\"ask\":1.6}",
            "{\"timestamp\":\"yesterday\",\"bid\":1.5,\"ask\":1.6}",
            "{\"timestamp\":12,\"bid\":1.5,\"ask\":1.6}",
            "{\"bid\":1.5,\"ask\":1.6}",
            "{\"timestamp\":1768817730,\"ask\":1.6}",
            "{" + good + ",\"x\":true}",
            "{" + good + ",\"x\":{}}",
            "{" + good + ",\"x\":[1]}",
            "{" + good + ",}",
            "{" + good + "} x",
            "{" + good + "}{}",
            "{" + good,
            "[" + good + "]",
            "{}",
            "",
        };
        for (String json : declined) {
            assertThat(scan(json, KEY)).as(json).isNull();
        }
        assertThat(scan("{" + good + "}", null)).as("no symbol, no key").isNull();
        assertThat(scan("{" + good + "}", "bad\nkey".getBytes(UTF_8))).as("a key that is no symbol").isNull();
        assertThat(scan("{" + good + "}", KEY)).isNotNull();
    }

    /** The migrator's form: the symbol of an archive directory, as a string. */
    @Test
    void aDirectorysSymbolIsTheSymbolOnlyWhenTheValueHasNone() throws Exception {
        String good = "{\"timestamp\":1768817730,\"bid\":1.5,\"ask\":1.6}";
        byte[] bytes = good.getBytes(UTF_8);
        assertThat(scanner.scan(bytes, 0, bytes.length, "XAUUSD"))
                .isEqualTo(decoder.decode(bytes, "XAUUSD")).extracting(Tick::symbol).isEqualTo("XAUUSD");
        byte[] own = "{\"symbol\":\"EURUSD\",\"timestamp\":1768817730,\"bid\":1.5,\"ask\":1.6}".getBytes(UTF_8);
        assertThat(scanner.scan(own, 0, own.length, "XAUUSD").symbol()).isEqualTo("EURUSD");
        assertThat(scanner.scan(bytes, 0, bytes.length, (String) null)).isNull();
        assertThat(scanner.scan(bytes, 0, bytes.length, "S".repeat(65))).isNull();
    }

    /** Prices of up to 15 significant digits, with and without exponents: the same double as {@link Double#parseDouble}, bit for bit. */
    @Test
    void pricesAreCorrectlyRounded() {
        SplittableRandom random = new SplittableRandom(15);
        for (int i = 0; i < 300_000; i++) {
            int digits = random.nextInt(1, 16);
            BigDecimal decimal = BigDecimal.valueOf(random.nextLong(1, (long) Math.pow(10, digits)), random.nextInt(-6, 22));
            String price = switch (i % 3) {
                case 0 -> decimal.toPlainString();
                case 1 -> decimal.toString().replace("E+", random.nextBoolean() ? "e" : "E+");
                default -> String.valueOf(decimal.doubleValue()); // Java's own form, "2.0E-5" among them
            };
            Tick tick = scan("{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":" + price + ",\"ask\":1}", null);
            if (decimal.precision() + Math.max(0, -decimal.scale()) <= 15 && Math.abs(decimal.scale()) <= 22 && i % 3 == 0) {
                assertThat(tick).as(price).isNotNull();
            }
            if (tick != null) {
                assertThat(Double.doubleToRawLongBits(tick.bid())).as(price)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(price)));
            }
        }
    }

    /**
     * Random values built from pieces of the plain form and of everything around it: whatever the
     * scanner accepts, Jackson accepts as the same tick; and it accepts most of what is plain.
     */
    @Test
    void acceptsOnlyWhatJacksonDecodesToTheSameTick() {
        SplittableRandom random = new SplittableRandom(42);
        int accepted = 0;
        int decodable = 0;
        for (int i = 0; i < 200_000; i++) {
            String json = randomValue(random);
            byte[] key = random.nextInt(4) == 0 ? null : KEY;
            Tick scanned = scan(json, key);
            Tick expected = reference(json, key);
            if (scanned != null) {
                accepted++;
                assertThat(scanned).as(json).isEqualTo(expected);
            }
            if (expected != null) {
                decodable++;
            }
        }
        assertThat(decodable).isGreaterThan(20_000);
        assertThat(accepted).as("accepted of %d decodable", decodable).isGreaterThan(decodable / 4);
    }

    private static String randomValue(SplittableRandom random) {
        List<String> fields = new ArrayList<>();
        String[] names = {"symbol", "timestamp", "bid", "ask", "spread", "lp_source", "lp", "broker_id", "venue", "bi", "Bid"};
        int count = random.nextInt(0, 9);
        for (int f = 0; f < count; f++) {
            String name = names[random.nextInt(names.length)];
            fields.add(space(random) + quoted(name, random) + space(random) + ":" + space(random) + value(name, random)
                    + space(random));
        }
        if (random.nextInt(3) != 0) { // mostly the three a tick needs
            fields.add("\"timestamp\":" + value("timestamp", random));
            fields.add("\"bid\":" + value("bid", random));
            fields.add("\"ask\":" + value("ask", random));
        }
        java.util.Collections.shuffle(fields, new java.util.Random(random.nextLong()));
        String json = space(random) + "{" + String.join(",", fields) + "}" + space(random);
        return switch (random.nextInt(40)) {
            case 0 -> json.substring(0, random.nextInt(json.length() + 1)); // cut off
            case 1 -> json + "x";
            case 2 -> json.replaceFirst(",", ",,");
            case 3 -> json.replace("}", ",}");
            case 4 -> "[" + json + "]";
            default -> json;
        };
    }

    private static String quoted(String text, SplittableRandom random) {
        return switch (random.nextInt(30)) {
            case 0 -> "\"" + text.charAt(0) + "\\u00" + Integer.toHexString(text.charAt(1)) + text.substring(2) + "\"";
            case 1 -> "\"" + text + "\"\"";
            default -> "\"" + text + "\"";
        };
    }

    private static String value(String name, SplittableRandom random) {
        boolean number = name.equals("bid") || name.equals("ask") || name.equals("spread")
                || (name.equals("timestamp") && random.nextBoolean());
        if (random.nextInt(12) == 0) { // the wrong kind, or something else entirely
            String[] other = {"null", "true", "false", "{}", "[1,2]", "{\"a\":[{}]}", "NaN", "\"\"", "1", "\"x\""};
            return other[random.nextInt(other.length)];
        }
        if (!number) {
            String[] texts = {"EURUSD", "GBPUSD", "LP-1", "B", "", "a b", "EUR\\\"USD", "EUR\\nUSD", "Ünïcode", "x\ty",
                "S".repeat(64), "S".repeat(65), "L".repeat(256), "L".repeat(257), "2026-01-19T10:15:30.123Z",
                "2026-01-19T10:15:30+01:00", "2026-02-30T10:15:30Z", "1989-12-31T23:59:59Z", "2026-01-19 10:15:30.5z"};
            String text = name.equals("timestamp") ? texts[14 + random.nextInt(5)] : texts[random.nextInt(texts.length)];
            return "\"" + text + "\"";
        }
        String[] numbers = {"0", "-0", "0.0", "-0.0", "1", "1.5", "-1.5", "01", "1.", ".5", "1e3", "1.5E-2", "2.0E-5", "1E+2", "1e", "1e-", "0e0", "1.08512",
            "150.125", "60000.5", "123456789012345", "1234567890123456", "0.000000000000001", "1768817730",
            "1768817730123", "1768817730123456", "1768817730123456789", "17688177301234567890", "1768817730.5", "12", "1-2"};
        if (random.nextInt(3) == 0) {
            return numbers[random.nextInt(numbers.length)];
        }
        if (name.equals("timestamp")) {
            return String.valueOf(random.nextLong(1_000_000_000L, 4_000_000_000_000L));
        }
        return BigDecimal.valueOf(random.nextLong(0, 100_000_000_000L), random.nextInt(0, 12)).toPlainString();
    }

    private static String space(SplittableRandom random) {
        String[] spaces = {"", "", "", " ", "\n  ", "\t", "\r\n"};
        return spaces[random.nextInt(spaces.length)];
    }
}
