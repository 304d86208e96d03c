package io.ticksink.migrator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.JsonToken;
import io.ticksink.schema.PlainTickScanner;
import io.ticksink.schema.RejectReason;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parse stage: streams the records of one source file, in order, to a {@link Handler}, decoded
 * or rejected. Memory does not grow with the file: one record is held at a time.
 *
 * <p>A record's position is its index in the file: the element index of a JSON array (or of a
 * sequence of root objects), the index among the non-blank lines of an NDJSON file. A malformed
 * NDJSON line is rejected alone; malformed JSON in an array ends the file (the parser cannot find
 * the next element), and so does a truncated or unreadable stream, reported with
 * {@link BrokenSourceException}.
 *
 * <p>Not thread safe: one reader per parsing thread.
 */
final class RecordReader {

    /** Longest raw text printed into the rejects report; the rest is cut. */
    static final int MAX_RAW_CHARS = 4096;
    /**
     * Longest record read, in bytes: an NDJSON line longer than that is rejected alone without
     * holding it in memory; a longer JSON element ends the file there (the parser cannot skip it
     * without reading it), after at most this much of it was read. A tick is ~150 bytes.
     */
    static final int MAX_RECORD_BYTES = 1 << 20;

    /** Receives the records of a file. */
    interface Handler {
        void tick(long position, Tick tick) throws InterruptedException;

        void reject(long position, RejectReason reason, String detail, String raw);
    }

    private final TickDecoder decoder;
    /** A plain tick (an NDJSON line, an array element) is decoded without a parser; anything else by Jackson. */
    private final PlainTickScanner scanner;
    private final JsonFactory factory;
    private byte[] line = new byte[8192];
    private final byte[] buffer = new byte[1 << 16];
    private int bufferPos;
    private int bufferLimit;

    RecordReader(TickDecoder decoder) {
        this.decoder = decoder;
        this.scanner = new PlainTickScanner(decoder);
        this.factory = decoder.factory();
    }

    /**
     * Reads every record of {@code in} (already decompressed). Returns the number of records.
     *
     * @throws BrokenSourceException when the file breaks off; the records before were handed over
     */
    long read(InputStream in, SourceFormat format, String directorySymbol, Handler handler)
            throws BrokenSourceException, InterruptedException {
        return format.lines() ? readLines(in, directorySymbol, handler) : readJson(in, directorySymbol, handler);
    }

    /** Plain ticks of an array without a parser, then the rest, if any, with Jackson from where that stopped. */
    private long readJson(InputStream raw, String symbol, Handler handler)
            throws BrokenSourceException, InterruptedException {
        PlainArrayReader.Rest rest = new PlainArrayReader(raw, scanner).read(symbol, handler);
        if (rest.stream() == null) {
            return rest.records();
        }
        if (!rest.repeatsLast()) {
            return readJsonWithParser(rest.stream(), symbol, handler, rest.records());
        }
        Handler afterTheRepeated = new Handler() { // the record read again was handed over already
            private boolean repeated;

            @Override
            public void tick(long position, Tick tick) throws InterruptedException {
                if (repeated) {
                    handler.tick(position, tick);
                }
                repeated = true;
            }

            @Override
            public void reject(long position, RejectReason reason, String detail, String raw) {
                if (repeated) {
                    handler.reject(position, reason, detail, raw);
                }
                repeated = true;
            }
        };
        return readJsonWithParser(rest.stream(), symbol, afterTheRepeated, rest.records() - 1);
    }

    /** The records of {@code raw} with Jackson's streaming parser, numbered from {@code firstPosition}. */
    long readJsonWithParser(InputStream raw, String symbol, Handler handler, long firstPosition)
            throws BrokenSourceException, InterruptedException {
        long position = firstPosition;
        RetainingInputStream in = new RetainingInputStream(raw, MAX_RECORD_BYTES);
        boolean array = false;
        // Jackson detects and skips a UTF-8 byte order mark on byte input
        try (JsonParser parser = factory.createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return 0; // an empty file holds no records
            }
            array = first == JsonToken.START_ARRAY;
            JsonToken token = array ? parser.nextToken() : first;
            while (token != null && !(array && token == JsonToken.END_ARRAY)) {
                long start = parser.currentTokenLocation().getByteOffset();
                in.recordStartsAt(start);
                Tick tick;
                try {
                    tick = decoder.decodeObject(parser, symbol);
                } catch (TickRejectedException e) {
                    // the decoder left the parser on the element's last token
                    parser.finishToken();
                    String text = in.text(start, parser.currentLocation().getByteOffset(), MAX_RAW_CHARS);
                    handler.reject(position++, e.reason(), e.getMessage(), text);
                    token = parser.nextToken();
                    continue;
                }
                handler.tick(position++, tick);
                token = parser.nextToken();
            }
            if (array && token == null) {
                throw new BrokenSourceException(position, "the JSON array is not closed: the file is truncated");
            }
            if (array && parser.nextToken() != null) {
                throw new BrokenSourceException(position, "content after the closing ] of the JSON array");
            }
            return position;
        } catch (RetainingInputStream.RecordTooLargeException e) {
            throw new BrokenSourceException(position, tooLarge(array, position), e);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // one value beyond the parser's bounds (a string, a number, nesting): no tick holds one
            String bound = e.getOriginalMessage();
            int source = bound.indexOf(", from");
            bound = source < 0 ? bound : bound.substring(0, source) + ")";
            throw new BrokenSourceException(position, (!array && position == 0
                    ? "not a JSON array of tick objects: the file's top-level value holds a value beyond the parser's bounds"
                    : "record " + position + " holds a value beyond the parser's bounds")
                    + " (" + bound + "): the file is not read past it", e);
        } catch (IOException e) {
            throw new BrokenSourceException(position, describe(e, true), e);
        }
    }

    private static String tooLarge(boolean array, long position) {
        if (!array && position == 0) {
            return "not a JSON array of tick objects: the file's top-level value is an object longer than "
                    + MAX_RECORD_BYTES + " bytes (an archive wrapped in one object, such as {\"ticks\":[...]}?); "
                    + "the file is not read";
        }
        return "record " + position + " is longer than " + MAX_RECORD_BYTES
                + " bytes, which no tick is: the file is not read past it";
    }

    /** A parse or read failure in words an operator can act on, without Jackson's source dump. */
    static String describe(IOException e, boolean wholeFile) {
        String what = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        String where = "";
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            where = " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")";
        }
        String prefix = wholeFile && (e instanceof JsonEOFException || e instanceof EOFException)
                ? "the file is truncated: " : "";
        return prefix + firstLine(what) + where;
    }

    private long readLines(InputStream in, String symbol, Handler handler)
            throws BrokenSourceException, InterruptedException {
        long position = 0;
        boolean firstLine = true;
        bufferPos = 0;
        bufferLimit = 0;
        try {
            while (true) {
                int length = readLine(in);
                if (length < 0) {
                    return position;
                }
                int start = 0;
                if (firstLine && length >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB
                        && (line[2] & 0xff) == 0xBF) {
                    start = 3; // UTF-8 byte order mark
                }
                firstLine = false;
                if (isBlank(line, start, length)) {
                    continue;
                }
                if (length > MAX_RECORD_BYTES) {
                    handler.reject(position, RejectReason.NOT_JSON, "line longer than " + MAX_RECORD_BYTES + " bytes",
                            new String(line, start, Math.min(MAX_RAW_CHARS, length - start), StandardCharsets.UTF_8));
                } else {
                    decodeLine(start, length, position, symbol, handler);
                }
                position++;
            }
        } catch (IOException e) {
            throw new BrokenSourceException(position, describe(e, true), e);
        }
    }

    private void decodeLine(int start, int end, long position, String symbol, Handler handler)
            throws InterruptedException {
        Tick tick = scanner.scan(line, start, end - start, symbol);
        if (tick != null) {
            handler.tick(position, tick);
            return;
        }
        try (JsonParser p = factory.createParser(line, start, end - start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TickRejectedException(RejectReason.NOT_JSON, "line is not a JSON object");
            }
            tick = decoder.decodeObject(p, symbol);
            if (p.nextToken() != null) {
                throw new TickRejectedException(RejectReason.NOT_JSON, "trailing content after the JSON object");
            }
        } catch (TickRejectedException e) {
            handler.reject(position, e.reason(), e.getMessage(), lineText(start, end));
            return;
        } catch (IOException e) {
            handler.reject(position, RejectReason.NOT_JSON, "not valid JSON: " + describe(e, false),
                    lineText(start, end));
            return;
        }
        handler.tick(position, tick);
    }

    /**
     * Reads the next line into {@link #line}, without its line break; returns its length, or -1
     * at the end of the stream. A line past {@link #MAX_RECORD_BYTES} is consumed but not kept.
     * Reads through its own buffer: a synchronised {@code read()} per byte costs more than parsing.
     */
    private int readLine(InputStream in) throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (bufferPos == bufferLimit) {
                bufferLimit = in.read(buffer, 0, buffer.length);
                bufferPos = 0;
                if (bufferLimit <= 0) {
                    bufferLimit = 0;
                    break;
                }
            }
            any = true;
            int from = bufferPos;
            int nl = from;
            while (nl < bufferLimit && buffer[nl] != '\n') {
                nl++;
            }
            int count = nl - from;
            if (length + count > line.length && line.length <= MAX_RECORD_BYTES) {
                line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, length + count), MAX_RECORD_BYTES + 1));
            }
            int keep = Math.min(count, line.length - length);
            if (keep > 0) {
                System.arraycopy(buffer, from, line, length, keep);
            }
            length += count;
            bufferPos = nl;
            if (nl < bufferLimit) {
                bufferPos++; // past the line break
                break;
            }
        }
        if (!any) {
            return -1;
        }
        if (length > 0 && length <= line.length && line[length - 1] == '\r') {
            length--;
        }
        return length;
    }

    private String lineText(int start, int end) {
        return new String(line, start, Math.min(end - start, MAX_RAW_CHARS), StandardCharsets.UTF_8);
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to && i < bytes.length; i++) {
            byte c = bytes[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
