package io.ticksink.schema;

/**
 * A store operation failed. The subclass says what the caller should do:
 * {@link Retriable} (wait and try again: locked, busy, I/O, disk full) or {@link Fatal} (stop:
 * corrupt file, wrong schema version, not a ticksink database).
 */
public abstract sealed class StoreException extends Exception
        permits StoreException.Retriable, StoreException.Fatal, StoreException.SourceChanged {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Worth retrying after a delay: nothing was written. */
    public static final class Retriable extends StoreException {
        private static final long serialVersionUID = 1L;

        public Retriable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Retrying cannot fix this; an operator must. */
    public static final class Fatal extends StoreException {
        private static final long serialVersionUID = 1L;

        public Fatal(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A stream (a source file) was stored before under another fingerprint; nothing was written. */
    public static final class SourceChanged extends StoreException {
        private static final long serialVersionUID = 1L;
        private final String stream;

        public SourceChanged(String stream, String storedFingerprint, String newFingerprint) {
            super(stream + " was stored with fingerprint " + storedFingerprint + " and now has " + newFingerprint, null);
            this.stream = stream;
        }

        public String stream() {
            return stream;
        }
    }
}
