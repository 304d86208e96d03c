package io.ticksink.schema;

/**
 * A record that cannot be stored as a tick. The caller sends it to the dead-letter topic or the
 * rejects report; retrying cannot help.
 */
public final class TickRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public TickRejectedException(RejectReason reason, String detail) {
        super(detail, null, false, false); // no stack trace: rejects are data, and can be many
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
