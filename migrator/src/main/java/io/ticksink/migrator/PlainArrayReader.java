package io.ticksink.migrator;

import io.ticksink.schema.PlainTickScanner;
import io.ticksink.schema.Tick;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;

/**
 * The quick way through a JSON array of ticks in their plain form ({@link PlainTickScanner}):
 * elements are scanned out of a buffer, without a parser, and handed over as long as each is a
 * plain tick followed by a comma or the closing bracket. At the first thing it does not take (a
 * tick in another form, a rejected one, malformed JSON, a file that is not an array or that breaks
 * off) it stops before that element and returns the rest of the file for Jackson to read on from
 * there, so that everything but plain ticks is read, rejected and reported exactly as before.
 *
 * <p>The rest is the file from the last element handed over (or from behind {@code [}) behind a
 * {@code [}, a line break for each line before it and spaces up to its column, so that Jackson
 * reads on in the state the file left it in and its messages name the file's own line and
 * column; when the file does not start as an array, it is the file's bytes as they were.
 *
 * <p>Not thread safe: one per file.
 */
final class PlainArrayReader {

    private static final int CHUNK = 1 << 16;
    /** How much of an element is buffered before it is scanned (or the whole file): a plain tick is far smaller. */
    private static final int ELEMENT_WINDOW = 8192;
    /** The most it buffers: runs of whitespace longer than this are left to Jackson. */
    private static final int MAX_BUFFER = 1 << 20;

    /**
     * What the quick way took: {@code records} handed over, and the rest to read with Jackson, or
     * null when it read the whole file; with {@code repeatsLast}, the rest starts with the last
     * record handed over, so that Jackson reads on in the state the file left it in.
     */
    record Rest(long records, InputStream stream, boolean repeatsLast) {
    }

    private final InputStream in;
    private final PlainTickScanner scanner;
    private byte[] buffer = new byte[2 * CHUNK];
    /** The first byte not taken yet. */
    private int start;
    private int limit;
    private boolean eof;
    /** A read failure, met again by Jackson at the same place. */
    private IOException failure;
    /** Line breaks before {@link #start}, counted as Jackson counts them, and bytes since the last one. */
    private long lines;
    private long column;
    /** Where the array's {@code [} stands: Jackson's messages about the array name it. */
    private long bracketLines;
    private long bracketColumn;

    PlainArrayReader(InputStream in, PlainTickScanner scanner) {
        this.in = in;
        this.scanner = scanner;
    }

    Rest read(String symbol, RecordReader.Handler handler) throws InterruptedException {
        int p = skipSpace(0); // nothing taken yet: a file that is no array is read as it is
        if (p < 0 || buffer[p] != '[') {
            return new Rest(0, rest(false), false);
        }
        take(p);
        bracketLines = lines;
        bracketColumn = column;
        take(p + 1);
        long records = 0;
        boolean afterComma = false;
        int at = 0; // where to read on, from start: start stays on the last element handed over
        while (true) {
            at = skipSpace(at);
            if (at < 0) {
                return fallBack(records); // breaks off: Jackson says so
            }
            byte b = buffer[start + at];
            if (b == ']') {
                return afterComma || !onlySpaceAfter(at + 1) ? fallBack(records) : new Rest(records, null, false);
            }
            if (b != '{') {
                return fallBack(records);
            }
            while (limit - (start + at) < ELEMENT_WINDOW && fill()) {
                // buffer the element
            }
            Tick tick = scanner.scanElement(buffer, start + at, limit, symbol);
            if (tick == null) {
                return fallBack(records);
            }
            int separator = skipSpace(scanner.elementEnd() - start);
            if (separator < 0 || (buffer[start + separator] != ',' && buffer[start + separator] != ']')) {
                return fallBack(records);
            }
            handler.tick(records++, tick);
            take(start + at);
            separator -= at;
            afterComma = buffer[start + separator] == ',';
            at = afterComma ? separator + 1 : separator;
        }
    }

    /** The rest for Jackson: from the last element handed over, which it reads again, or from behind {@code [}. */
    private Rest fallBack(long records) {
        return new Rest(records, rest(true), records > 0);
    }

    /** The first byte from {@code start + at} on that is no whitespace, relative to start; -1 when none follows. */
    private int skipSpace(int at) {
        while (true) {
            int i = start + at;
            while (i < limit && isSpace(buffer[i])) {
                i++;
            }
            if (i < limit) {
                return i - start;
            }
            at = i - start;
            if (!fill()) {
                return -1;
            }
        }
    }

    /** Whether only whitespace follows {@code start + at} to the end of the file. */
    private boolean onlySpaceAfter(int at) {
        return skipSpace(at) < 0 && eof && failure == null;
    }

    /** Takes the bytes up to {@code end}, counting their lines. */
    private void take(int end) {
        for (int i = start; i < end; i++) {
            byte b = buffer[i];
            if (b == '\n' || (b == '\r' && (i + 1 >= limit || buffer[i + 1] != '\n'))) {
                lines++;
                column = 0;
            } else {
                column++;
            }
        }
        start = end;
    }

    /**
     * Reads more, keeping everything from {@link #start}; false at the end of the file, on a
     * failure, or when that much is held already (Jackson reads on from there, within its bounds).
     */
    private boolean fill() {
        if (eof) {
            return false;
        }
        if (start > 0 && limit - start < CHUNK) {
            System.arraycopy(buffer, start, buffer, 0, limit - start);
            limit -= start;
            start = 0;
        }
        if (buffer.length - limit < CHUNK) {
            if (buffer.length >= MAX_BUFFER) {
                return false;
            }
            buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
        }
        try {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                eof = true;
                return false;
            }
            limit += n;
            return true;
        } catch (IOException e) {
            failure = e;
            eof = true;
            return false;
        }
    }

    /** The file from {@link #start} on, behind a prefix that puts it at its line and column; or as it was. */
    private InputStream rest(boolean behindBracket) {
        InputStream unread = failure == null ? in : new InputStream() {
            @Override
            public int read() throws IOException {
                throw failure;
            }
        };
        InputStream buffered = new ByteArrayInputStream(buffer, behindBracket ? start : 0, limit - (behindBracket ? start : 0));
        if (!behindBracket) {
            return new SequenceInputStream(buffered, unread);
        }
        long spaces = lines == bracketLines ? column - bracketColumn - 1 : column;
        return new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new Repeated((byte) '\n', bracketLines), new Repeated((byte) ' ', bracketColumn),
                new ByteArrayInputStream(new byte[] {'['}),
                new Repeated((byte) '\n', lines - bracketLines), new Repeated((byte) ' ', spaces),
                buffered, unread)));
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** {@code count} copies of one byte, made as they are read. */
    private static final class Repeated extends InputStream {
        private final byte value;
        private long left;

        Repeated(byte value, long count) {
            this.value = value;
            this.left = Math.max(0, count);
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return value;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return len == 0 ? 0 : -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, value);
            left -= n;
            return n;
        }
    }
}
