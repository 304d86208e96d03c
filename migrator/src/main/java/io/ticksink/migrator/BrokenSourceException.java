package io.ticksink.migrator;

/**
 * A source file broke off: truncated, malformed beyond recovery or unreadable. The records before
 * {@link #position()} were handed over; the rest of the file was not read.
 */
final class BrokenSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long position;

    BrokenSourceException(long position, String message) {
        this(position, message, null);
    }

    BrokenSourceException(long position, String message, Throwable cause) {
        super(message, cause);
        this.position = position;
    }

    /** The position of the first record not read. */
    long position() {
        return position;
    }
}
