package io.ticksink.schema;

import java.util.List;

/**
 * The headers the consumer adds to a rejected record when it publishes it as a dead letter, after
 * the record's own headers and in this order; the tools (audit, redrive) read them back.
 */
public final class DeadLetterHeaders {

    /** Why the record was rejected: {@code NOT_JSON}, {@code WRONG_TYPE}, {@code MISSING_FIELD}, ... */
    public static final String REASON = "ticksink.reject.reason";
    /** A readable message saying what was wrong. */
    public static final String DETAIL = "ticksink.reject.detail";
    public static final String SOURCE_TOPIC = "ticksink.source.topic";
    public static final String SOURCE_PARTITION = "ticksink.source.partition";
    public static final String SOURCE_OFFSET = "ticksink.source.offset";
    /** The source record's timestamp, epoch milliseconds. */
    public static final String SOURCE_TIMESTAMP = "ticksink.source.timestamp";
    /** Every header the consumer adds, in the order it adds them. */
    public static final List<String> ALL = List.of(REASON, DETAIL, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET,
            SOURCE_TIMESTAMP);

    private DeadLetterHeaders() {
    }
}
