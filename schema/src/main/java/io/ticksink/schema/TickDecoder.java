package io.ticksink.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes JSON tick objects with Jackson's streaming parser, following the data contract:
 * {@code timestamp} as RFC 3339 or an epoch number of any unit, {@code lp_source} or {@code lp},
 * {@code spread} computed when absent, unknown fields ignored, and the symbol taken from a
 * fallback (the Kafka key, the archive directory) when the object has none.
 *
 * <p>Thread safe; one instance can serve every thread.
 */
public final class TickDecoder {

    public static final int MAX_SYMBOL_LENGTH = 64;
    /** The most characters {@code lp_source} (or {@code lp}) may have; a longer one is rejected as {@link RejectReason#TOO_LONG}. */
    public static final int MAX_LP_SOURCE_LENGTH = 256;
    /** The most characters {@code broker_id} may have; a longer one is rejected as {@link RejectReason#TOO_LONG}. */
    public static final int MAX_BROKER_ID_LENGTH = 256;
    /**
     * The most characters any JSON string may have, known field or not, checked by the parser
     * while it reads the string: a huge value is rejected ({@link RejectReason#TOO_LONG}) after
     * this much is buffered, not once all of it is.
     */
    public static final int MAX_JSON_STRING_LENGTH = 64 * 1024;
    /** The most digits a JSON number may have (Jackson's default, kept explicit). */
    public static final int MAX_JSON_NUMBER_LENGTH = 1000;
    /** The deepest nesting of arrays and objects: a tick is flat, unknown fields may nest a little. */
    public static final int MAX_JSON_NESTING_DEPTH = 64;
    /** Buffer sets kept for reuse: one per thread parsing at the same time, which is at most a few. */
    private static final int RECYCLED_BUFFERS = 16;

    private final JsonFactory factory;
    private final RepeatedStrings strings = new RepeatedStrings();

    public TickDecoder() {
        this.factory = JsonFactory.builder()
                // read NaN and Infinity so they are rejected as NOT_FINITE, with that reason
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                // correctly rounded like Double.parseDouble, without its garbage: prices are most of a tick
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                // parser buffers recycled through a bounded pool owned by this decoder and shared
                // by every thread that parses with it, whichever thread made the parser
                .recyclerPool(JsonRecyclerPools.newBoundedPool(RECYCLED_BUFFERS))
                // no maxDocumentLength: the migrator streams whole archive files through this
                // factory, and a Kafka value is bounded by the broker's message size
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(MAX_JSON_STRING_LENGTH)
                        .maxNumberLength(MAX_JSON_NUMBER_LENGTH)
                        .maxNestingDepth(MAX_JSON_NESTING_DEPTH)
                        .build())
                .build();
    }

    /** The shared strings of this decoder's ticks. */
    RepeatedStrings strings() {
        return strings;
    }

    /** The factory the decoder reads with; callers streaming a file should create parsers from it. */
    public JsonFactory factory() {
        return factory;
    }

    /** Decodes one complete JSON document, such as a Kafka record value. */
    public Tick decode(byte[] json, String fallbackSymbol) throws TickRejectedException {
        return decode(json, 0, json == null ? 0 : json.length, fallbackSymbol, null);
    }

    /**
     * Decodes the JSON document in {@code json[offset, offset + length)}; the symbol, when the
     * object has none, is {@code fallbackSymbol} or else the UTF-8 bytes {@code fallbackSymbolUtf8}.
     */
    Tick decode(byte[] json, int offset, int length, String fallbackSymbol, byte[] fallbackSymbolUtf8)
            throws TickRejectedException {
        if (json == null || length == 0) {
            throw new TickRejectedException(RejectReason.NOT_JSON, "empty value");
        }
        try (JsonParser parser = factory.createParser(json, offset, length)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new TickRejectedException(RejectReason.NOT_JSON, "value is not a JSON object");
            }
            Tick tick = decodeObject(parser, fallbackSymbol, fallbackSymbolUtf8);
            if (parser.nextToken() != null) {
                throw new TickRejectedException(RejectReason.NOT_JSON, "trailing content after the JSON object");
            }
            return tick;
        } catch (StreamConstraintsException e) {
            throw new TickRejectedException(RejectReason.TOO_LONG, "value too large: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw new TickRejectedException(RejectReason.NOT_JSON, "not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Decodes the object the parser stands on ({@link JsonToken#START_OBJECT}) and leaves the
     * parser on its {@link JsonToken#END_OBJECT}, also when the object is rejected, so a caller
     * streaming an array can go on with the next element.
     *
     * @throws IOException when the JSON itself is malformed; the parser cannot go on after that
     */
    public Tick decodeObject(JsonParser parser, String fallbackSymbol) throws IOException, TickRejectedException {
        return decodeObject(parser, fallbackSymbol, null);
    }

    /** The same, with the fallback symbol as UTF-8 bytes (a Kafka key), turned into a string only when used. */
    Tick decodeObject(JsonParser parser, String fallbackSymbol, byte[] fallbackSymbolUtf8)
            throws IOException, TickRejectedException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            throw new TickRejectedException(RejectReason.NOT_JSON, "element is not a JSON object");
        }
        String symbol = null;
        long timestamp = 0;
        boolean hasTimestamp = false;
        double bid = Double.NaN;
        double ask = Double.NaN;
        double spread = Double.NaN;
        boolean hasBid = false;
        boolean hasAsk = false;
        boolean hasSpread = false;
        String lpSource = null;
        String lp = null;
        String brokerId = null;
        TickRejectedException firstError = null;

        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue; // a null is an absent field
            }
            try {
                switch (field) {
                    case "symbol" -> symbol = text(parser, field, Integer.MAX_VALUE); // checked below, also a key
                    case "timestamp" -> {
                        timestamp = timestamp(parser);
                        hasTimestamp = true;
                    }
                    case "bid" -> {
                        bid = price(parser, field);
                        hasBid = true;
                    }
                    case "ask" -> {
                        ask = price(parser, field);
                        hasAsk = true;
                    }
                    case "spread" -> {
                        spread = price(parser, field);
                        hasSpread = true;
                    }
                    case "lp_source" -> lpSource = text(parser, field, MAX_LP_SOURCE_LENGTH);
                    case "lp" -> lp = text(parser, field, MAX_LP_SOURCE_LENGTH);
                    case "broker_id" -> brokerId = text(parser, field, MAX_BROKER_ID_LENGTH);
                    default -> parser.skipChildren();
                }
            } catch (TickRejectedException e) {
                parser.skipChildren();
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new IOException("unexpected token " + token + " inside an object");
        }
        if (firstError != null) {
            throw firstError;
        }
        if (symbol == null) {
            symbol = fallbackSymbolUtf8 != null ? new String(fallbackSymbolUtf8, StandardCharsets.UTF_8) : fallbackSymbol;
        }
        if (symbol == null) {
            throw new TickRejectedException(RejectReason.MISSING_FIELD, "symbol is missing (and the record has no key)");
        }
        checkSymbol(symbol);
        if (!hasTimestamp) {
            throw missing("timestamp");
        }
        if (!hasBid) {
            throw missing("bid");
        }
        if (!hasAsk) {
            throw missing("ask");
        }
        if (!hasSpread) {
            spread = ask - bid;
            if (!Double.isFinite(spread)) {
                throw new TickRejectedException(RejectReason.NOT_FINITE, "ask - bid overflows");
            }
        }
        return new Tick(symbol, timestamp, bid, ask, spread, lpSource != null ? lpSource : lp, brokerId);
    }

    /** Checks a symbol against the contract: 1..64 characters, no control characters. */
    public static void checkSymbol(String symbol) throws TickRejectedException {
        if (symbol.isEmpty() || symbol.length() > MAX_SYMBOL_LENGTH) {
            throw new TickRejectedException(RejectReason.BAD_SYMBOL,
                    "symbol must have 1.." + MAX_SYMBOL_LENGTH + " characters, has " + symbol.length());
        }
        for (int i = 0; i < symbol.length(); i++) {
            if (Character.isISOControl(symbol.charAt(i))) {
                throw new TickRejectedException(RejectReason.BAD_SYMBOL, "symbol contains a control character");
            }
        }
    }

    private static TickRejectedException missing(String field) {
        return new TickRejectedException(RejectReason.MISSING_FIELD, field + " is missing");
    }

    /** The string value, of at most {@code maxLength} characters: checked before a string is made of it. */
    private String text(JsonParser parser, String field, int maxLength) throws IOException, TickRejectedException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(parser, field, "a string");
        }
        char[] chars = parser.getTextCharacters();
        int length = parser.getTextLength();
        if (length > maxLength) {
            throw new TickRejectedException(RejectReason.TOO_LONG,
                    field + " must have at most " + maxLength + " characters, has " + length);
        }
        return strings.get(chars, parser.getTextOffset(), length);
    }

    private static double price(JsonParser parser, String field) throws IOException, TickRejectedException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(parser, field, "a number");
        }
        double value = parser.getDoubleValue();
        if (!Double.isFinite(value)) {
            throw new TickRejectedException(RejectReason.NOT_FINITE, field + " is " + parser.getText());
        }
        return value;
    }

    private static long timestamp(JsonParser parser) throws IOException, TickRejectedException {
        switch (parser.currentToken()) {
            case VALUE_STRING:
                return Timestamps.fromRfc3339(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
            case VALUE_NUMBER_INT:
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new TickRejectedException(RejectReason.BAD_TIMESTAMP,
                            "timestamp " + parser.getText() + " is out of range");
                }
                return Timestamps.fromEpochNumber(parser.getLongValue());
            case VALUE_NUMBER_FLOAT:
                if (!Double.isFinite(parser.getDoubleValue())) {
                    throw new TickRejectedException(RejectReason.BAD_TIMESTAMP, "timestamp is " + parser.getText());
                }
                try {
                    return Timestamps.fromEpochNumber(parser.getDecimalValue());
                } catch (NumberFormatException | ArithmeticException e) {
                    // an exponent beyond BigDecimal's scale, such as 1e-2147483648
                    throw new TickRejectedException(RejectReason.BAD_TIMESTAMP,
                            "timestamp " + Timestamps.abbreviate(parser.getText()) + " is out of range");
                }
            default:
                throw wrongType(parser, "timestamp", "an RFC 3339 string or an epoch number");
        }
    }

    private static TickRejectedException wrongType(JsonParser parser, String field, String expected) {
        return new TickRejectedException(RejectReason.WRONG_TYPE,
                field + " must be " + expected + ", is " + describe(parser.currentToken()));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> token.toString();
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
