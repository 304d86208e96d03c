package io.ticksink.migrator;

/**
 * The first condition that stops the whole run (a corrupt day file, a schema version from a newer
 * build): every stage checks it and winds down. Thread safe.
 */
final class RunFailure {

    private volatile String message;
    private volatile Throwable cause;

    synchronized void fail(String why, Throwable error) {
        if (message == null) {
            message = why;
            cause = error;
        }
    }

    boolean failed() {
        return message != null;
    }

    String message() {
        return message;
    }

    Throwable cause() {
        return cause;
    }
}
