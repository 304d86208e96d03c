package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** audit against a real broker, over day files stored as the consumer stores them. */
class AuditCommandIT {

    private static final LocalDate DAY1 = LocalDate.parse("2026-02-20");
    private static final LocalDate DAY2 = LocalDate.parse("2026-02-21");
    /** Ticks from 22:00 on DAY1 to 02:00 on DAY2, so both days have ticks in both partitions. */
    private static final Instant FIRST_TICK = Instant.parse("2026-02-20T22:00:00Z");
    private static final int TICKS = 240;
    /** Every 40th record (from the 7th) is a poison record: six of them. */
    private static final int POISON_EVERY = 40;

    @KafkaBroker
    KafkaTestCluster kafka;

    @TempDir
    Path work;

    private String topic;
    private Path dataDir;

    @BeforeEach
    void topic() {
        topic = kafka.createTopic("audit", 2);
        io.ticksink.kafka.EmbeddedKafka.createTopic(kafka.bootstrapServers(), topic + ".dlq", 2);
        dataDir = work.resolve("node1");
    }

    @Test
    void aCleanStorePassesWithEveryTickStoredOnceAndEveryRejectDeadLettered() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        assertThat(stored.rejects()).hasSize(6);
        assertThat(rowCount(dataDir, DAY1) + rowCount(dataDir, DAY2)).isEqualTo(TICKS - 6).isEqualTo(stored.tickCount());

        Cli.Run run = audit();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).doesNotContain("MISSING", "DUPLICATE", "MISPLACED", "UNEXPECTED");
        assertThat(total(run)).isEqualTo(TICKS + " audited: " + (TICKS - 6) + " stored once, 6 dead-lettered, 0 missing, "
                + "0 duplicated, 0 misplaced, 0 unexpected");
        assertThat(run.out()).contains("SUMMARY    " + topic + "-0  offsets 0..120  120 audited")
                .contains("SUMMARY    " + topic + "-1  offsets 0..120  120 audited");
    }

    @Test
    void aDeletedRowIsReportedMissingWithItsCoordinates() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        Path file = DayFiles.path(dataDir, DAY1);
        long before = rowCount(dataDir, DAY1);
        execute(file, "DELETE FROM ticks WHERE position = 10 AND stream_id = "
                + "(SELECT id FROM streams WHERE name = '" + StreamChunk.kafkaStream(topic, 1) + "')");
        assertThat(rowCount(dataDir, DAY1)).isEqualTo(before - 1);

        Cli.Run run = audit();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("MISSING"))
                .containsExactly("MISSING    " + topic + "-1@10  tick of " + DAY1 + ", not stored");
        assertThat(total(run)).contains("1 missing, 0 duplicated, 0 misplaced");
        assertThat(run.err()).contains("error: " + topic + " is not stored completely: 1 missing");
    }

    @Test
    void aRowCopiedIntoASecondDataDirIsReportedStoredTwiceInTheUnion() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        // another node stored partition 0's offset 4 too (what a split-brain or a bad restore leaves)
        Path node2 = work.resolve("node2");
        Tick tick = readRow(DayFiles.path(dataDir, DAY1), 0, 4);
        try (DayDatabase db = DayDatabase.open(DayFiles.path(node2, DAY1), StoreOptions.defaults())) {
            StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream(topic, 0), StoredAsTheConsumerDoes.topicId(kafka.bootstrapServers(), topic), 1);
            chunk.add(4, tick);
            db.write(List.of(chunk));
        }
        assertThat(rowCount(node2, DAY1)).isEqualTo(1);

        Cli.Run one = audit();
        Cli.Run both = audit("--data-dir", node2.toString());

        assertThat(one.exitCode()).as(one.out()).isZero();
        assertThat(both.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(both.lines()).filteredOn(l -> l.startsWith("DUPLICATE")).containsExactly("DUPLICATE  " + topic
                + "-0@4  2 copies: row in " + DayFiles.path(dataDir, DAY1) + ", row in " + DayFiles.path(node2, DAY1));
        assertThat(total(both)).contains("0 missing, 1 duplicated, 0 misplaced");
    }

    @Test
    void aRowMovedToAnotherDaysFileIsReportedMisplaced() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        Tick tick = readRow(DayFiles.path(dataDir, DAY1), 1, 3);
        execute(DayFiles.path(dataDir, DAY1), "DELETE FROM ticks WHERE position = 3 AND stream_id = "
                + "(SELECT id FROM streams WHERE name = '" + StreamChunk.kafkaStream(topic, 1) + "')");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(dataDir, DAY2));
             PreparedStatement ps = c.prepareStatement("INSERT INTO ticks (symbol, timestamp, bid, ask, spread, stream_id, position) "
                     + "VALUES (?, ?, ?, ?, ?, (SELECT id FROM streams WHERE name = ?), 3)")) {
            ps.setString(1, tick.symbol());
            ps.setLong(2, tick.timestampMillis());
            ps.setDouble(3, tick.bid());
            ps.setDouble(4, tick.ask());
            ps.setDouble(5, tick.spread());
            ps.setString(6, StreamChunk.kafkaStream(topic, 1));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        Cli.Run run = audit();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("MISPLACED")).containsExactly("MISPLACED  " + topic + "-1@3  in "
                + DayFiles.path(dataDir, DAY2) + ", but its tick is of " + DAY1);
        assertThat(total(run)).contains("0 missing, 0 duplicated, 1 misplaced");
    }

    @Test
    void aRejectAbsentFromTheDeadLetterTopicIsReportedMissing() throws Exception {
        publish(TICKS);
        // partition 0 holds the even records; record 6 (the first poison one) is partition 0's offset 3
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir,
                topic + ".dlq", 3);
        assertThat(stored.rejects()).anySatisfy(r -> {
            assertThat(r.partition()).isZero();
            assertThat(r.offset()).isEqualTo(3);
        });
        assertThat(kafka.endOffsets(topic + ".dlq", 2).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);

        Cli.Run run = audit();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("MISSING"))
                .containsExactly("MISSING    " + topic + "-0@3  does not decode and is not in the dead-letter topic");
        assertThat(total(run)).contains((TICKS - 6) + " stored once, 5 dead-lettered, 1 missing");
    }

    @Test
    void aRejectDeadLetteredTwiceIsReportedStoredTwice() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        // what an at-least-once dead-letter send leaves after a crash before the offset commit
        StoredAsTheConsumerDoes.deadLetter(kafka.bootstrapServers(), topic + ".dlq", stored.rejects().subList(0, 1));
        var again = stored.rejects().get(0);

        Cli.Run run = audit();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("DUPLICATE")).singleElement().asString()
                .startsWith("DUPLICATE  " + topic + "-" + again.partition() + "@" + again.offset() + "  2 copies: dead-letter "
                        + topic + ".dlq-");
    }

    @Test
    void withAGroupTheAuditEndsAtItsCommittedOffsetsAndRecordsBeyondAreNotAudited() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        // records published after the store are not stored; the group has not committed past the stored ones
        publish(20);
        String group = "ticksink-" + topic;
        commit(group, Map.of(new TopicPartition(topic, 0), 120L, new TopicPartition(topic, 1), 100L));
        assertThat(kafka.committedOffsets(group, topic)).containsEntry(0, 120L).containsEntry(1, 100L);

        Cli.Run upToGroup = audit("--group", group);
        Cli.Run upToEnd = audit();

        assertThat(upToGroup.exitCode()).as(upToGroup.out() + upToGroup.err()).isZero();
        assertThat(total(upToGroup)).startsWith("220 audited:");
        assertThat(upToEnd.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(total(upToEnd)).startsWith((TICKS + 20) + " audited:").contains("20 missing");
    }

    @Test
    void aDayAuditCountsTheTicksOfThatDayOnlyAndFindsThemWhereverStored() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        long ofDay2 = stored.ticksPerDay().get(DAY2);
        assertThat(ofDay2).isEqualTo(rowCount(dataDir, DAY2)).isPositive();

        Cli.Run run = audit("--day", DAY2.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        // the poison records carry broker timestamps of today, not of DAY2: not in the day's selection
        assertThat(total(run)).startsWith(ofDay2 + " audited: " + ofDay2 + " stored once, 0 dead-lettered");
    }

    @Test
    void recordsOfAnAbortedTransactionAreNotAuditedAndARowAtOneOfTheirOffsetsIsUnexpected() throws Exception {
        List<Long> aborted = publishTransactions();
        StoredAsTheConsumerDoes.Stored stored = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        assertThat(stored.tickCount()).isEqualTo(20);

        Cli.Run clean = audit("--partition", "0");
        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();
        assertThat(total(clean)).startsWith("20 audited: 20 stored once");

        // a row of an aborted record: what a read_uncommitted consumer would have stored
        Tick tick = readRow(DayFiles.path(dataDir, DAY1), 0, 0);
        try (DayDatabase db = DayDatabase.open(DayFiles.path(work.resolve("node2"), DAY1), StoreOptions.defaults())) {
            StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream(topic, 0), null, 1);
            chunk.add(aborted.get(0), tick);
            db.write(List.of(chunk));
        }
        Cli.Run run = audit("--partition", "0", "--data-dir", work.resolve("node2").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.lines()).filteredOn(l -> l.startsWith("UNEXPECTED")).containsExactly("UNEXPECTED " + topic + "-0@"
                + aborted.get(0) + "  row in " + DayFiles.path(work.resolve("node2"), DAY1)
                + ": the topic has no committed record at this offset");
        assertThat(total(run)).startsWith("20 audited: 20 stored once").endsWith("1 unexpected");
    }

    @Test
    void aRejectInADataDirsRejectsFileCountsAsDeadLettered() throws Exception {
        publish(TICKS);
        // partition 0's offset 3 is a poison record that the dead-letter topic refused for good
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq", 3);
        Path rejects = dataDir.resolve("rejects").resolve("rejects-2026-02-21.jsonl");
        Files.createDirectories(rejects.getParent());
        Files.writeString(rejects, "{\"written\":\"2026-02-21T00:00:00Z\",\"reason\":\"NOT_JSON\",\"detail\":\"x\","
                + "\"dlq_topic\":\"" + topic + ".dlq\",\"dlq_error\":\"RecordTooLargeException: x\",\"topic\":\"" + topic
                + "\",\"partition\":0,\"offset\":3,\"timestamp\":1,\"key\":\"U1lNMg==\",\"value\":\"bm90IGEgdGljaw==\",\"headers\":[]}\n");

        Cli.Run run = audit();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(total(run)).startsWith(TICKS + " audited: " + (TICKS - 6) + " stored once, 6 dead-lettered, 0 missing");
    }

    @Test
    void aMergedDataDirIsAuditedThroughItsLineageIndex() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        Path merged = work.resolve("merged");
        assertThat(Cli.run("merge", "--data-dir", merged.toString(), "--from", dataDir.toString()).exitCode()).isZero();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(merged, DAY1));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'idx_ticks_lineage'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }

        Cli.Run run = Cli.run("audit", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--data-dir", merged.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(total(run)).startsWith(TICKS + " audited: " + (TICKS - 6) + " stored once, 6 dead-lettered, 0 missing");
    }

    @Test
    void rowsOfAnEarlierIncarnationOfTheTopicAreLeftOutWithANote() throws Exception {
        publish(TICKS);
        StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        kafka.recreateTopic(topic, 2);
        // the new topic's ticks are of later days: the earlier days' files keep the old topic id
        publish(100, FIRST_TICK.plus(java.time.Duration.ofDays(3)), false);
        StoredAsTheConsumerDoes.Stored again = StoredAsTheConsumerDoes.store(kafka.bootstrapServers(), topic, dataDir, topic + ".dlq");
        assertThat(again.tickCount()).isEqualTo(100);
        assertThat(rowCount(dataDir, DAY1)).isPositive();

        Cli.Run run = audit();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.lines()).filteredOn(l -> l.startsWith("NOTE")).anySatisfy(l -> assertThat(l)
                .contains("day file(s) hold " + topic + "-0 of an earlier incarnation of the topic"));
        // the dead-letter topic still holds the old topic's rejects, at offsets the new topic reuses
        assertThat(run.lines()).filteredOn(l -> l.startsWith("NOTE")).anySatisfy(l -> assertThat(l)
                .contains("3 dead letter(s) name offsets of " + topic + "-0 whose record has another key or value"));
        assertThat(total(run)).startsWith("100 audited: 100 stored once, 0 dead-lettered, 0 missing");
    }

    @Test
    void aTopicThatDoesNotExistIsOneClearError() {
        Cli.Run run = Cli.run("audit", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic + "-missing",
                "--data-dir", dataDir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.err()).isEqualTo("error: topic " + topic + "-missing does not exist at " + kafka.bootstrapServers()
                + System.lineSeparator());
        assertThat(kafka.endOffsets(topic, 2)).as("nothing created or written").containsValues(0L, 0L);
    }

    // --- helpers

    private Cli.Run audit(String... extra) {
        List<String> args = new ArrayList<>(List.of("audit", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--data-dir", dataDir.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static String total(Cli.Run run) {
        String line = run.lines().stream().filter(l -> l.startsWith("TOTAL")).findFirst()
                .orElseThrow(() -> new AssertionError("no TOTAL line in:\n" + run.out() + run.err()));
        return line.substring(line.indexOf("  ", "TOTAL      ".length()) + 2);
    }

    private void publish(int count) throws Exception {
        publish(count, FIRST_TICK, true);
    }

    /**
     * Publishes {@code count} records, record i to partition i % 2, ticks a minute apart from
     * {@code first}; with {@code poison}, every 40th record from the 7th is a poison record instead.
     */
    private void publish(int count, Instant first, boolean poison) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String symbol = "SYM" + (i % 4);
                String value = poison && i % POISON_EVERY == 6 ? "not a tick" : tickJson(symbol, first.plusSeconds(60L * i));
                sends.add(producer.send(new ProducerRecord<>(topic, i % 2, utf8(symbol), utf8(value))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Publishes to partition 0 in transactions: 10 ticks committed, 5 aborted, 10 committed.
     * Returns the offsets of the aborted records.
     */
    private List<Long> publishTransactions() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "audit-test-" + topic);
        List<Long> aborted = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            int i = 0;
            for (int txn = 0; txn < 3; txn++) {
                producer.beginTransaction();
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                for (int n = 0; n < (txn == 1 ? 5 : 10); n++, i++) {
                    sends.add(producer.send(new ProducerRecord<>(topic, 0, utf8("SYM0"), utf8(tickJson("SYM0", FIRST_TICK.plusSeconds(60L * i))))));
                }
                producer.flush();
                if (txn == 1) {
                    for (Future<RecordMetadata> send : sends) {
                        aborted.add(send.get(30, TimeUnit.SECONDS).offset());
                    }
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }
        return aborted;
    }

    private void commit(String group, Map<TopicPartition, Long> offsets) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
            consumer.commitSync(commit);
        }
    }

    private static String tickJson(String symbol, Instant at) {
        return "{\"symbol\":\"" + symbol + "\",\"timestamp\":" + at.toEpochMilli() + ",\"bid\":1.1,\"ask\":1.2}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long rowCount(Path dir, LocalDate day) throws Exception {
        Path file = DayFiles.path(dir, day);
        if (!Files.exists(file)) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(Path file, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    private Tick readRow(Path file, int partition, long position) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement ps = c.prepareStatement("SELECT symbol, timestamp, bid, ask, spread FROM ticks t "
                     + "JOIN streams s ON s.id = t.stream_id WHERE s.name = ? AND t.position = ?")) {
            ps.setString(1, StreamChunk.kafkaStream(topic, partition));
            ps.setLong(2, position);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row of partition %d at %d in %s", partition, position, file).isTrue();
                return new Tick(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), null, null);
            }
        }
    }
}
