package io.ticksink.consumer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

/**
 * A Log4j filter that lets the first event of each kind through and then at most one per
 * interval. Only WARN and less severe events are limited; errors always pass. A kind is the
 * logger plus the message's pattern before its arguments are filled in. The Kafka client puts its
 * client id into that pattern, so each client's "Connection to node -1 (/10.0.0.7:9092) could not
 * be established" is one kind, whatever node and address it names. With no broker reachable the
 * client logs that about once a second for each client, for as long as the outage lasts.
 * Configured in {@code log4j2.xml}: {@code <RepeatedMessageFilter intervalSeconds="60"/>} inside
 * a {@code <Logger>}.
 *
 * <p>Thread safe; memory is bounded by {@value #MAX_KINDS} kinds (past that, it starts afresh).
 */
@Plugin(name = "RepeatedMessageFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE, printObject = true)
public final class RepeatedMessageFilter extends AbstractFilter {

    static final int MAX_KINDS = 10_000;

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    /** When each kind last passed. */
    private final ConcurrentMap<String, Long> lastPassed = new ConcurrentHashMap<>();

    RepeatedMessageFilter(long intervalSeconds, LongSupplier nanoTime) {
        super(Result.NEUTRAL, Result.DENY);
        this.intervalNanos = intervalSeconds * 1_000_000_000L;
        this.nanoTime = nanoTime;
    }

    /** The factory Log4j calls for {@code <RepeatedMessageFilter intervalSeconds="N"/>}. */
    @PluginFactory
    public static RepeatedMessageFilter create(@PluginAttribute(value = "intervalSeconds", defaultInt = 60) int intervalSeconds) {
        return new RepeatedMessageFilter(Math.max(1, intervalSeconds), System::nanoTime);
    }

    @Override
    public Result filter(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
            return onMatch;
        }
        String kind = event.getLoggerName() + '\0' + pattern(event.getMessage());
        long now = nanoTime.getAsLong();
        if (lastPassed.size() >= MAX_KINDS) {
            lastPassed.clear();
        }
        boolean[] passes = new boolean[1];
        lastPassed.compute(kind, (k, last) -> {
            passes[0] = last == null || now - last >= intervalNanos;
            return passes[0] ? now : last;
        });
        return passes[0] ? onMatch : onMismatch;
    }

    /**
     * The message before its arguments are filled in. Log4j 2.25 deprecates {@code getFormat()}
     * without a replacement; the parameterized messages the Kafka client's logging makes still
     * answer it, and a message without a pattern is its own kind.
     */
    @SuppressWarnings("deprecation")
    private static String pattern(Message message) {
        String format = message.getFormat();
        return format != null ? format : message.getFormattedMessage();
    }

    @Override
    public String toString() {
        return "RepeatedMessageFilter(intervalSeconds=" + intervalNanos / 1_000_000_000L + ")";
    }
}
