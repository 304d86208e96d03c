package io.ticksink.schema;

/**
 * A store operation failed. The subclass, one of three, says what the caller should do:
 * <ul>
 *   <li>{@link Retriable}: wait and try again (the file is locked or busy, an I/O error, a full
 *       disk); nothing was written.
 *   <li>{@link Fatal}: stop; retrying cannot help (a corrupt file, another schema version, a file
 *       that is not a ticksink database).
 *   <li>{@link SourceChanged}: a source file (not a Kafka partition) was stored before with other
 *       content; nothing was written, and the caller leaves that file out (the migrator reports it
 *       as changed) and writes the rest again.
 * </ul>
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

    /**
     * A stream of a source file was stored before under another fingerprint: the file changed
     * since. Nothing of the write was stored; {@link #stream()} names the file's stream. Never
     * thrown for a Kafka partition, whose new incarnation starts its stream afresh instead.
     */
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
