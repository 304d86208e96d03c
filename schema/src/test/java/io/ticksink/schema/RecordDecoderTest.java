package io.ticksink.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static final String TICK = "{\"symbol\":\"EURUSD\",\"timestamp\":1768817730123,\"bid\":1.0654,\"ask\":1.0655,"
            + "\"lp_source\":\"LP-1\"}";
    private static final byte[] KEY = "GBPUSD".getBytes(UTF_8);

    private final TickDecoder decoder = new TickDecoder();
    private final RecordDecoder records = new RecordDecoder(decoder);

    private static ByteBuffer wrap(String json) {
        return ByteBuffer.wrap(json.getBytes(UTF_8));
    }

    private TickRejectedException rejection(String json) {
        return catchThrowableOfType(TickRejectedException.class, () -> records.decode(wrap(json), KEY));
    }

    @Test
    void oneParserDecodesValueAfterValueWithWhitespaceAround() throws Exception {
        for (String json : new String[] {TICK, " " + TICK + "\n", "\t" + TICK + "\r\n  ", TICK}) {
            Tick tick = records.decode(wrap(json), KEY);
            assertThat(tick.symbol()).isEqualTo("EURUSD");
            assertThat(tick.bid()).isEqualTo(1.0654);
            assertThat(tick.lpSource()).isEqualTo("LP-1");
        }
    }

    @Test
    void aValueCutOffInsideATokenIsRejectedAndTheNextValueDecodes() throws Exception {
        for (String cut : new String[] {"{\"symbol\":\"EUR", "{\"bid\":1.06", "{\"symbol\":\"X\",\"tr", "{"}) {
            assertThat(rejection(cut).reason()).as(cut).isEqualTo(RejectReason.NOT_JSON);
            assertThat(records.decode(wrap(TICK), KEY).ask()).as("after %s", cut).isEqualTo(1.0655);
        }
    }

    /** The non-blocking parser waits for more input inside a token; the value must still end with its object. */
    @Test
    void contentAfterTheObjectIsRejectedAlsoWhenItIsAnUnfinishedToken() throws Exception {
        for (String trailing : new String[] {" \"abc}", " tru", " 12", " x}", "{}", " [", "]"}) {
            TickRejectedException e = rejection(TICK + trailing);
            assertThat(e).as(trailing).isNotNull();
            assertThat(e.reason()).as(trailing).isEqualTo(RejectReason.NOT_JSON);
            assertThat(records.decode(wrap(TICK), KEY).symbol()).as("after %s", trailing).isEqualTo("EURUSD");
        }
    }

    @Test
    void aTooLongValueIsRejectedAndTheNextValueDecodes() throws Exception {
        String[] tooLong = {
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"lp\":\"" + "L".repeat(257) + "\"}",
            "{\"symbol\":\"X\",\"timestamp\":1768817730,\"bid\":1,\"ask\":2,\"broker_id\":\"" + "B".repeat(1 << 20) + "\"}",
        };
        for (String json : tooLong) {
            TickRejectedException e = rejection(json);
            assertThat(e).isNotNull();
            assertThat(e.reason()).isEqualTo(RejectReason.TOO_LONG);
            assertThat(e.getMessage()).hasSizeLessThan(1024);
            assertThat(records.decode(wrap(TICK), KEY).lpSource()).isEqualTo("LP-1");
        }
    }

    @Test
    void theKeyIsTheSymbolOnlyWhenTheValueHasNone() throws Exception {
        assertThat(records.decode(wrap("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}"), KEY).symbol()).isEqualTo("GBPUSD");
        assertThat(records.decode(wrap(TICK), KEY).symbol()).isEqualTo("EURUSD");
        assertThat(catchThrowableOfType(TickRejectedException.class,
                () -> records.decode(wrap("{\"timestamp\":1768817730,\"bid\":1,\"ask\":2}"), null)).reason())
                .isEqualTo(RejectReason.MISSING_FIELD);
    }

    @Test
    void emptyAndMissingValuesAreNotJson() {
        assertThat(catchThrowableOfType(TickRejectedException.class, () -> records.decode(null, KEY)).reason())
                .isEqualTo(RejectReason.NOT_JSON);
        assertThat(catchThrowableOfType(TickRejectedException.class, () -> records.decode(ByteBuffer.allocate(0), KEY))
                .reason()).isEqualTo(RejectReason.NOT_JSON);
    }

    /**
     * Values cut, spliced, padded and garbled at random, all through one record decoder: each must
     * come out as the one-shot decoder's tick, or as its rejection with the same reason and message.
     */
    @Test
    void agreesWithTheOneShotDecoderOnMangledValues() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        byte[] tick = TICK.getBytes(UTF_8);
        String junk = " \t\r\n{}[]\":,.-+0123456789eEtrufalsnNI\\\u0001\u00e9x";
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder value = new StringBuilder(new String(tick, UTF_8));
            switch (random.nextInt(5)) {
                case 0 -> value.setLength(random.nextInt(value.length() + 1));
                case 1 -> value.insert(random.nextInt(value.length() + 1), junk.charAt(random.nextInt(junk.length())));
                case 2 -> value.deleteCharAt(random.nextInt(value.length()));
                case 3 -> value.append(junk.charAt(random.nextInt(junk.length())));
                default -> value.insert(0, ' ').append('\n');
            }
            byte[] bytes = value.toString().getBytes(UTF_8);
            // the value as a region of a larger buffer, as the Kafka client hands it over
            byte[] fetched = new byte[bytes.length + 8];
            System.arraycopy(bytes, 0, fetched, 4, bytes.length);
            ByteBuffer region = ByteBuffer.wrap(fetched, 4, bytes.length);

            Tick expected = null;
            TickRejectedException expectedRejection = null;
            try {
                expected = decoder.decode(bytes, "GBPUSD");
            } catch (TickRejectedException e) {
                expectedRejection = e;
            }
            if (expected != null) {
                assertThat(records.decode(region, KEY)).as(value.toString()).isEqualTo(expected);
                decoded++;
            } else {
                TickRejectedException e = catchThrowableOfType(TickRejectedException.class, () -> records.decode(region, KEY));
                assertThat(e).as(value.toString()).isNotNull();
                assertThat(e.reason()).as(value.toString()).isEqualTo(expectedRejection.reason());
                assertThat(e.getMessage()).as(value.toString()).isEqualTo(expectedRejection.getMessage());
                rejected++;
            }
            assertThat(region.position()).isEqualTo(4);
        }
        assertThat(decoded).as("values decoded").isGreaterThan(2_000);
        assertThat(rejected).as("values rejected").isGreaterThan(2_000);
    }
}
