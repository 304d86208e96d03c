package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

class RepeatedMessageFilterTest {

    private static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";
    private static final String CONSUMER_CANNOT_CONNECT = "[Consumer clientId=ticksink-1, groupId=g] Connection to node {} ({}) "
            + "could not be established. Node may not be available.";
    private static final String ADMIN_CANNOT_CONNECT = "[AdminClient clientId=ticksink-admin-1] Connection to node {} ({}) "
            + "could not be established. Node may not be available.";

    private final AtomicLong now = new AtomicLong();
    private final RepeatedMessageFilter filter = new RepeatedMessageFilter(60, now::get);

    private static LogEvent event(Level level, String format, Object... args) {
        return Log4jLogEvent.newBuilder().setLoggerName(NETWORK_CLIENT).setLevel(level)
                .setMessage(new ParameterizedMessage(format, args)).build();
    }

    private void at(long seconds) {
        now.set(Duration.ofSeconds(seconds).toNanos());
    }

    @Test
    void theFirstWarningOfAKindPassesAndItsRepeatsAtMostOnceAMinute() {
        int passed = 0;
        for (int s = 0; s < 300; s++) {
            at(s);
            if (filter.filter(event(Level.WARN, CONSUMER_CANNOT_CONNECT, -1, "/10.0.0.7:9092")) != Filter.Result.DENY) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(5); // at 0, 60, 120, 180, 240 s
    }

    @Test
    void eachClientAndEachMessageIsAKindOfItsOwnWhateverNodeItNames() {
        at(0);
        assertThat(filter.filter(event(Level.WARN, CONSUMER_CANNOT_CONNECT, -1, "/10.0.0.7:9092"))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(event(Level.WARN, ADMIN_CANNOT_CONNECT, -1, "/10.0.0.7:9092"))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(filter.filter(event(Level.WARN, "[Consumer clientId=ticksink-1, groupId=g] Node {} disconnected.", 1)))
                .isEqualTo(Filter.Result.NEUTRAL);
        at(1);
        assertThat(filter.filter(event(Level.WARN, CONSUMER_CANNOT_CONNECT, 2, "/10.0.0.8:9092"))).isEqualTo(Filter.Result.DENY);
    }

    @Test
    void errorsAlwaysPass() {
        at(0);
        for (int i = 0; i < 3; i++) {
            assertThat(filter.filter(event(Level.ERROR, "[Consumer clientId=ticksink-1] Unexpected error during I/O")))
                    .isEqualTo(Filter.Result.NEUTRAL);
        }
    }
}
