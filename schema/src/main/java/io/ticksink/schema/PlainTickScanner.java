package io.ticksink.schema;

import java.nio.charset.StandardCharsets;

/**
 * Decodes the plain form of a tick value without a JSON parser: one flat object whose values are
 * ASCII strings without escapes and non-negative numbers, with any JSON whitespace between tokens,
 * as producers write ticks. That is nearly every record, and scanning it is a small loop that a
 * fresh JVM compiles in moments, where Jackson's parser takes seconds of compiling to run fast.
 *
 * <p>Anything else it declines, returning {@code null}: escapes, non-ASCII text, negative numbers,
 * numbers of more than 15 significant digits, {@code null}, booleans, nested values, a field given
 * twice, and every tick that would be rejected. The caller then decodes the value with Jackson as
 * before, so which values are accepted, which are rejected and why does not depend on this class.
 * What it accepts it decodes to the same tick as {@link TickDecoder}, bit for bit: a price is its
 * digits as an integer below 2<sup>53</sup> times or divided by a power of ten up to
 * 10<sup>22</sup>, both exact doubles, so the one operation is correctly rounded, as Jackson's
 * parsing is.
 *
 * <p>Not thread safe: one per thread.
 */
public final class PlainTickScanner {

    private static final int SYMBOL = 0;
    private static final int TIMESTAMP = 1;
    private static final int BID = 2;
    private static final int ASK = 3;
    private static final int SPREAD = 4;
    private static final int LP_SOURCE = 5;
    private static final int LP = 6;
    private static final int BROKER_ID = 7;
    private static final int OTHER = 8;

    private static final byte[][] NAMES = {
        ascii("symbol"), ascii("timestamp"), ascii("bid"), ascii("ask"), ascii("spread"), ascii("lp_source"),
        ascii("lp"), ascii("broker_id"),
    };
    /** Longer strings are left to Jackson, which checks every limit and gives the reasons. */
    private static final int MAX_STRING = 256;
    /** Significant digits below 10<sup>15</sup> < 2<sup>53</sup>: an exact double; more are left to Jackson. */
    private static final int MAX_DIGITS = 15;
    /** The powers of ten that are exact doubles. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    };

    private final RepeatedStrings strings;
    /** A timestamp's characters, as {@link Timestamps} reads them. */
    private final char[] chars = new char[64];

    private byte[] in;
    private int pos;
    private int end;
    /** The last string's bounds in {@link #in}. */
    private int elementEnd;
    private int textStart;
    private int textLength;
    /** The last number: {@code digits} &times; 10<sup>-scale</sup>; integral when written without point or exponent. */
    private long digits;
    private int scale;
    private boolean integral;

    PlainTickScanner(RepeatedStrings strings) {
        this.strings = strings;
    }

    /** A scanner that shares the repeated strings of {@code decoder}'s ticks. */
    public PlainTickScanner(TickDecoder decoder) {
        this(decoder.strings());
    }

    /**
     * The tick in {@code bytes[offset, offset + length)}, or null when the value is not a valid tick
     * in the plain form; the symbol, when the object has none, is {@code fallbackSymbol} (an archive
     * directory's name).
     */
    public Tick scan(byte[] bytes, int offset, int length, String fallbackSymbol) {
        return scan(bytes, offset, length, null, fallbackSymbol, true);
    }

    /**
     * The tick whose object starts at {@code bytes[offset]}, an element of an array that may go on
     * up to {@code limit}; null as for {@link #scan(byte[], int, int, String)}, also when the object
     * does not end before {@code limit}. Where it ends: {@link #elementEnd()}.
     */
    public Tick scanElement(byte[] bytes, int offset, int limit, String fallbackSymbol) {
        return scan(bytes, offset, limit - offset, null, fallbackSymbol, false);
    }

    /** Just past the closing brace of the object {@link #scanElement} decoded last. */
    public int elementEnd() {
        return elementEnd;
    }

    /**
     * The tick in {@code bytes[offset, offset + length)}, or null when the value is not a valid tick
     * in the plain form; the symbol, when the object has none, is the UTF-8 key {@code fallbackSymbolUtf8}.
     */
    Tick scan(byte[] bytes, int offset, int length, byte[] fallbackSymbolUtf8) {
        return scan(bytes, offset, length, fallbackSymbolUtf8, null, true);
    }

    /** With {@code whole}, only whitespace may follow the object; without, where it ends is kept. */
    private Tick scan(byte[] bytes, int offset, int length, byte[] fallbackSymbolUtf8, String fallbackSymbol,
                      boolean whole) {
        in = bytes;
        pos = offset;
        end = offset + length;
        String symbol = null;
        long timestamp = 0;
        double bid = 0;
        double ask = 0;
        double spread = 0;
        String lpSource = null;
        String lp = null;
        String brokerId = null;
        int seen = 0;

        if (!skipSpaceTo('{')) {
            return null;
        }
        pos++;
        do {
            if (!skipSpaceTo('"') || !string()) {
                return null;
            }
            int field = field(textStart, textLength);
            if (field != OTHER) {
                if ((seen & (1 << field)) != 0) {
                    return null; // given twice: Jackson's rule (the last one counts) applies
                }
                seen |= 1 << field;
            }
            if (!skipSpaceTo(':')) {
                return null;
            }
            pos++;
            if (!skipSpace()) {
                return null;
            }
            byte first = in[pos];
            if (first == '"') {
                if (!string()) {
                    return null;
                }
                switch (field) {
                    case SYMBOL -> {
                        if (textLength == 0 || textLength > TickDecoder.MAX_SYMBOL_LENGTH) {
                            return null;
                        }
                        symbol = strings.get(in, textStart, textLength);
                    }
                    case TIMESTAMP -> {
                        if (textLength > chars.length) {
                            return null;
                        }
                        for (int i = 0; i < textLength; i++) {
                            chars[i] = (char) in[textStart + i];
                        }
                        try {
                            timestamp = Timestamps.fromRfc3339(chars, 0, textLength);
                        } catch (TickRejectedException e) {
                            return null;
                        }
                    }
                    case LP_SOURCE -> lpSource = strings.get(in, textStart, textLength);
                    case LP -> lp = strings.get(in, textStart, textLength);
                    case BROKER_ID -> brokerId = strings.get(in, textStart, textLength);
                    case OTHER -> {
                        // an unknown field is ignored
                    }
                    default -> {
                        return null; // a price given as a string: rejected, with Jackson's reason
                    }
                }
            } else if (isDigit(first)) {
                if (!number()) {
                    return null;
                }
                switch (field) {
                    case TIMESTAMP -> {
                        if (!integral) {
                            return null; // a fractional epoch number: Jackson's exact decimal path
                        }
                        try {
                            timestamp = Timestamps.fromEpochNumber(digits);
                        } catch (TickRejectedException e) {
                            return null;
                        }
                    }
                    case BID -> bid = price();
                    case ASK -> ask = price();
                    case SPREAD -> spread = price();
                    case OTHER -> {
                        // an unknown field is ignored
                    }
                    default -> {
                        return null; // text given as a number: rejected, with Jackson's reason
                    }
                }
            } else {
                return null;
            }
            if (!skipSpace()) {
                return null;
            }
        } while (in[pos++] == ',');
        if (in[pos - 1] != '}' || whole && skipSpace()) {
            return null; // not the object's end, or something after it
        }
        elementEnd = pos;
        if ((seen & (1 << TIMESTAMP | 1 << BID | 1 << ASK)) != (1 << TIMESTAMP | 1 << BID | 1 << ASK)) {
            return null;
        }
        if (symbol == null) {
            symbol = checked(fallbackSymbolUtf8 != null ? new String(fallbackSymbolUtf8, StandardCharsets.UTF_8)
                    : fallbackSymbol);
            if (symbol == null) {
                return null;
            }
        }
        if ((seen & 1 << SPREAD) == 0) {
            spread = ask - bid;
        }
        return new Tick(symbol, timestamp, bid, ask, spread, lpSource != null ? lpSource : lp, brokerId);
    }

    /** The symbol when it is one by the contract, else null. */
    private static String checked(String symbol) {
        if (symbol == null) {
            return null;
        }
        try {
            TickDecoder.checkSymbol(symbol);
        } catch (TickRejectedException e) {
            return null;
        }
        return symbol;
    }

    /** Skips JSON whitespace; true when a byte follows. */
    private boolean skipSpace() {
        while (pos < end) {
            byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return true;
            }
            pos++;
        }
        return false;
    }

    private boolean skipSpaceTo(char expected) {
        return skipSpace() && in[pos] == expected;
    }

    /**
     * Reads the string that starts at {@link #pos} (its quote): true when it closes, has no escape
     * and only printable ASCII, and is at most {@link #MAX_STRING} long.
     */
    private boolean string() {
        int start = ++pos;
        int limit = Math.min(end, start + MAX_STRING + 1);
        while (pos < limit) {
            byte b = in[pos];
            if (b == '"') {
                textStart = start;
                textLength = pos - start;
                pos++;
                return true;
            }
            if (b < 0x20 || b >= 0x7f || b == '\\') {
                return false; // control characters (also for symbols), non-ASCII and escapes: Jackson's
            }
            pos++;
        }
        return false;
    }

    /**
     * Reads a non-negative JSON number at {@link #pos}: false for what is not JSON (leading zeros, a
     * point or an exponent without digits), more than 15 significant digits, or a value that is not
     * those digits times a power of ten between 10<sup>-22</sup> and 10<sup>22</sup>.
     */
    private boolean number() {
        int start = pos;
        long value = 0;
        int significant = 0;
        int fraction = 0;
        while (pos < end && isDigit(in[pos])) {
            value = value * 10 + (in[pos++] - '0');
            if (value != 0 && ++significant > MAX_DIGITS) {
                return false;
            }
        }
        if (pos - start > 1 && in[start] == '0') {
            return false;
        }
        boolean integral = true;
        if (pos < end && in[pos] == '.') {
            integral = false;
            int point = ++pos;
            while (pos < end && isDigit(in[pos])) {
                value = value * 10 + (in[pos++] - '0');
                fraction++;
                if (value != 0 && ++significant > MAX_DIGITS) {
                    return false;
                }
            }
            if (pos == point) {
                return false;
            }
        }
        int exponent = 0;
        if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
            integral = false;
            boolean negative = ++pos < end && in[pos] == '-';
            if (pos < end && (in[pos] == '-' || in[pos] == '+')) {
                pos++;
            }
            int first = pos;
            while (pos < end && isDigit(in[pos])) {
                exponent = exponent * 10 + (in[pos++] - '0');
                if (exponent > 1000) {
                    return false;
                }
            }
            if (pos == first) {
                return false;
            }
            exponent = negative ? -exponent : exponent;
        }
        digits = value;
        scale = fraction - exponent;
        this.integral = integral;
        return Math.abs(scale) < POWERS_OF_TEN.length;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** The last number as a double, correctly rounded: one operation on two exact doubles. */
    private double price() {
        if (scale > 0) {
            return digits / POWERS_OF_TEN[scale];
        }
        return scale == 0 ? (double) digits : digits * POWERS_OF_TEN[-scale];
    }

    /** Which field the name in {@code in[start, start + length)} is. */
    private int field(int start, int length) {
        for (int f = 0; f < NAMES.length; f++) {
            byte[] name = NAMES[f];
            if (name.length == length && name[0] == in[start] && sameBytes(start, name)) {
                return f;
            }
        }
        return OTHER;
    }

    private boolean sameBytes(int start, byte[] name) {
        for (int i = 1; i < name.length; i++) {
            if (in[start + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
