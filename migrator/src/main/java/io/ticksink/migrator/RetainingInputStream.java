package io.ticksink.migrator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps the bytes read since the start of the current record, so that the exact text of a record
 * the parser has already passed can be cut out for the rejects report. It holds one record plus
 * the parser's read-ahead, whatever the size of the file, and refuses to hold more than
 * {@code maxRecordBytes} of one record: reading past that throws {@link RecordTooLargeException},
 * so a giant element (a huge string, or a whole archive wrapped in one object) is refused after a
 * bounded read instead of filling the heap.
 *
 * <p>Not thread safe: belongs to the reader of one file.
 */
final class RetainingInputStream extends InputStream {

    /** A record grew past the bound; the stream cannot be read further. */
    static final class RecordTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        RecordTooLargeException(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final int maxRecordBytes;
    private byte[] kept = new byte[1 << 16];
    private long keptStart;   // stream offset of kept[0]
    private int keptLength;
    private long recordStart; // bytes before it may be dropped

    RetainingInputStream(InputStream in, int maxRecordBytes) {
        this.in = in;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The current record starts at stream offset {@code offset}: older bytes are no longer needed. */
    void recordStartsAt(long offset) {
        recordStart = Math.max(recordStart, offset);
    }

    /** The text between two stream offsets, cut at {@code maxBytes}, or {@code null} when no longer held. */
    String text(long from, long to, int maxBytes) {
        if (from < keptStart || to > keptStart + keptLength || from > to) {
            return null;
        }
        int start = (int) (from - keptStart);
        int length = (int) Math.min(to - from, maxBytes);
        return new String(kept, start, length, StandardCharsets.UTF_8);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        long heldOfRecord = keptStart + keptLength - recordStart;
        if (heldOfRecord > maxRecordBytes) {
            throw new RecordTooLargeException("a record longer than " + maxRecordBytes + " bytes");
        }
        int n = in.read(b, off, len);
        if (n > 0) {
            keep(b, off, n);
        }
        return n;
    }

    private void keep(byte[] b, int off, int n) {
        if (keptLength + n > kept.length) {
            int drop = (int) Math.min(keptLength, Math.max(0, recordStart - keptStart));
            System.arraycopy(kept, drop, kept, 0, keptLength - drop);
            keptLength -= drop;
            keptStart += drop;
            if (keptLength + n > kept.length) {
                kept = Arrays.copyOf(kept, Math.max(kept.length * 2, keptLength + n));
            }
        }
        System.arraycopy(b, off, kept, keptLength, n);
        keptLength += n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
