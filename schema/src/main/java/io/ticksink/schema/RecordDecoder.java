package io.ticksink.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes Kafka record values one after another: a value in the plain form of a tick by {@link
 * PlainTickScanner}, without a parser; any other with one parser, Jackson's non-blocking parser,
 * fed each value in turn, so that a record costs no parser of its own to build and close (on the
 * Kafka thread, that would be a large part of its time and of what it allocates).
 *
 * <p>A value that is one whole, valid tick object is decoded by that parser. Any other value
 * (malformed, truncated, with trailing content, or a rejected tick) is decoded again by {@link
 * TickDecoder#decode(byte[], String)}, and the parser is replaced, as it may have been left inside
 * a token. So values are accepted and rejected exactly as that method does, with its reasons.
 *
 * <p>Not thread safe: one per thread.
 */
public final class RecordDecoder {

    private final TickDecoder decoder;
    /** The plain form of a tick, decoded without a parser; anything else goes on to the parser. */
    private final PlainTickScanner scanner;
    /** The parser the next value is fed to; null after a value it could not decode. */
    private JsonParser parser;

    public RecordDecoder(TickDecoder decoder) {
        this.decoder = decoder;
        this.scanner = new PlainTickScanner(decoder);
    }

    /**
     * Decodes a record value, its remaining bytes, whose key (UTF-8 bytes or {@code null}) is the
     * symbol when the value has none; the key is only turned into a string then. The value is
     * parsed where it is when the buffer has an accessible array (as the Kafka client's are), so it
     * is not copied first. The buffer's position is left as it was.
     */
    public Tick decode(ByteBuffer value, byte[] fallbackSymbolUtf8) throws TickRejectedException {
        if (value == null || !value.hasRemaining()) {
            throw new TickRejectedException(RejectReason.NOT_JSON, "empty value");
        }
        byte[] bytes;
        int offset;
        int length = value.remaining();
        if (value.hasArray()) {
            bytes = value.array();
            offset = value.arrayOffset() + value.position();
        } else {
            bytes = new byte[length];
            value.duplicate().get(bytes);
            offset = 0;
        }
        Tick tick = scanner.scan(bytes, offset, length, fallbackSymbolUtf8);
        if (tick != null) {
            return tick;
        }
        tick = decodeWithParser(bytes, offset, length, fallbackSymbolUtf8);
        if (tick != null) {
            return tick;
        }
        discardParser();
        return decoder.decode(bytes, offset, length, null, fallbackSymbolUtf8);
    }

    /** The tick, or null when the value is anything but one valid tick object and whitespace. */
    private Tick decodeWithParser(byte[] bytes, int offset, int length, byte[] fallbackSymbolUtf8) {
        try {
            if (parser == null) {
                parser = decoder.factory().createNonBlockingByteArrayParser();
            }
            ((ByteArrayFeeder) parser.getNonBlockingInputFeeder()).feedInput(bytes, offset, offset + length);
            long start = parser.currentLocation().getByteOffset();
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Tick tick = decoder.decodeObject(parser, null, fallbackSymbolUtf8);
            // the parser stands just past the object's '}'. What follows must be whitespace: the
            // parser cannot say, as it waits for more input inside a token cut off by the value's end
            int end = offset + length;
            for (int i = offset + (int) (parser.currentLocation().getByteOffset() - start); i < end; i++) {
                byte b = bytes[i];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return null;
                }
            }
            return parser.nextToken() == JsonToken.NOT_AVAILABLE ? tick : null; // reads the whitespace
        } catch (IOException | TickRejectedException e) {
            return null;
        }
    }

    private void discardParser() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                // nothing to release: its input is a byte array
            }
            parser = null;
        }
    }
}
