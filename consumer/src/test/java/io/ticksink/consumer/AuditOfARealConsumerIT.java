package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayFiles;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ticksink-tools audit} over what the real consumer (its shaded jar, in a child JVM) stored
 * and dead-lettered: the audit and the consumer agree on stream names, day routing and dead-letter
 * headers, and the audit reads the transactional dead letters.
 */
class AuditOfARealConsumerIT {

    private static final LocalDate DAY = LocalDate.parse("2026-02-20");

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    @Test
    void whatTheConsumerStoredAndDeadLetteredPassesTheAudit() throws Exception {
        String topic = kafka.createTopic("audit-consumer", 2);
        List<Map.Entry<String, String>> records = new ArrayList<>();
        Instant first = DAY.atTime(22, 0).toInstant(java.time.ZoneOffset.UTC);
        for (int i = 0; i < 200; i++) {
            String symbol = "SYM" + (i % 5);
            records.add(new SimpleEntry<>(symbol, i % 50 == 7 ? "{\"symbol\":" : "{\"symbol\":\"" + symbol + "\",\"timestamp\":"
                    + first.plusSeconds(90L * i).toEpochMilli() + ",\"bid\":1.1,\"ask\":1.2}"));
        }
        kafka.produce(topic, records);
        Map<Integer, Long> end = kafka.endOffsets(topic, 2);
        String group = "ticksink-" + topic;
        Path dataDir = work.resolve("data");

        try (ConsumerProcess consumer = ConsumerProcess.start(work, List.of(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "-1")) {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                assertThat(consumer.isAlive()).as(consumer.output()).isTrue();
                Map<Integer, Long> committed = kafka.committedOffsets(group, topic);
                return end.entrySet().stream().allMatch(e -> e.getValue() == 0 || e.getValue().equals(committed.get(e.getKey())));
            });
            consumer.terminate();
            assertThat(consumer.waitFor(Duration.ofMinutes(1))).as(consumer.output()).isZero();
        }
        // the consumer did store and dead-letter: 196 rows over two days, 4 dead letters
        assertThat(rows(DayFiles.path(dataDir, DAY)) + rows(DayFiles.path(dataDir, DAY.plusDays(1)))).isEqualTo(196);
        assertThat(kafka.readCommitted(topic + ".dlq")).hasSize(4);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = io.ticksink.tools.Main.commandLine(Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err))
                .execute("audit", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic, "--group", group,
                        "--data-dir", dataDir.toString());

        assertThat(code).as(out + err.toString()).isZero();
        assertThat(out.toString().lines()).contains("TOTAL      " + topic + "  200 audited: 196 stored once, 4 dead-lettered, 0 missing, "
                + "0 duplicated, 0 misplaced, 0 unexpected");
    }

    private static long rows(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
