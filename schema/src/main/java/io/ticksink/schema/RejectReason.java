package io.ticksink.schema;

/** Why a record could not become a {@link Tick}. The names travel in dead-letter headers and reject reports. */
public enum RejectReason {
    /** The bytes are not JSON, or not a JSON object. */
    NOT_JSON,
    /** A required field ({@code symbol}, {@code timestamp}, {@code bid}, {@code ask}) is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type, for example a price given as a string. */
    WRONG_TYPE,
    /** A price is NaN or infinite, or too large to be a double. */
    NOT_FINITE,
    /** The timestamp cannot be read, or lies outside the accepted range. */
    BAD_TIMESTAMP,
    /** The symbol is empty, longer than 64 characters or contains control characters. */
    BAD_SYMBOL,
    /**
     * A value is beyond a size limit: {@code lp_source} / {@code lp} or {@code broker_id} longer
     * than 256 characters, any JSON string longer than 65536 characters, a number of more than
     * 1000 digits, or arrays and objects nested more than 64 deep.
     */
    TOO_LONG
}
