package io.ticksink.bench;

import io.ticksink.consumer.load.SyntheticTicks;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.RecordDecoder;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** The two baselines: a bare Kafka consumer that parses and stores nothing, and a bare SQLite insert loop. */
final class Bare {

    private Bare() {
    }

    /** Ticks per second of a timed run: cold, from its start, and warm, after its warm-up. */
    record Rates(double cold, double warm) {
    }

    /**
     * (a) Polls every record of the topic from the beginning and parses it; the warm rate counts
     * from the moment {@code warmup} records were parsed.
     */
    static Rates pollAndParse(String bootstrap, String topic, int partitions, long warmup, long expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        RecordDecoder decoder = new RecordDecoder(new TickDecoder()); // the consumer's
        long parsed = 0;
        long start;
        long warmStart = 0;
        // values as the consumer takes them: regions of the fetched buffers, decoded in place
        try (KafkaConsumer<byte[], ByteBuffer> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteBufferDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            start = System.nanoTime();
            long seen = 0;
            while (seen < expected) {
                for (ConsumerRecord<byte[], ByteBuffer> r : consumer.poll(Duration.ofMillis(500))) {
                    if (seen++ == warmup) {
                        warmStart = System.nanoTime();
                    }
                    try {
                        decoder.decode(r.value(), r.key());
                        parsed++;
                    } catch (TickRejectedException e) {
                        throw new IllegalStateException("synthetic tick rejected: " + e.getMessage());
                    }
                }
            }
        }
        long end = System.nanoTime();
        return new Rates(parsed / ((end - start) / 1e9), (expected - warmup) / ((end - warmStart) / 1e9));
    }

    /** Already-parsed ticks for (b): the synthetic ticks of one day, decoded by the same decoder. */
    static List<Tick> ticks(long count, int symbols) throws TickRejectedException {
        SyntheticTicks source = Workload.ticks(count, symbols, 7);
        TickDecoder decoder = new TickDecoder();
        List<Tick> ticks = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            String key = source.nextSymbol();
            ticks.add(decoder.decode(source.next().getBytes(StandardCharsets.UTF_8), key));
        }
        return ticks;
    }

    /**
     * (b) A single-threaded sqlite-jdbc loop inserting already-parsed ticks into the same schema
     * with the same PRAGMAs, {@code transactionSize} rows per transaction. The cold rate is a first
     * run of the warm-up ticks into a file of its own, the warm rate the timed run that follows.
     */
    static Rates insert(Path dir, List<Tick> warmup, List<Tick> timed, int transactionSize, String synchronous)
            throws Exception {
        return insert(dir, warmup, timed, transactionSize, synchronous, false);
    }

    /**
     * The same loop; with {@code noMutex} its connection is opened as the store opens day files,
     * without SQLite's per-call connection mutex.
     */
    static Rates insert(Path dir, List<Tick> warmup, List<Tick> timed, int transactionSize, String synchronous,
                        boolean noMutex) throws Exception {
        return insert(dir, warmup, timed, transactionSize, synchronous, noMutex, 1);
    }

    /**
     * (b+) The loop of (b) with one multi-row statement ({@code INSERT ... VALUES (...), (...), ...})
     * per {@link #MULTI_ROW} ticks, in the same order, batched as (b) batches its single rows.
     */
    static Rates insertMultiRow(Path dir, List<Tick> warmup, List<Tick> timed, int transactionSize, String synchronous)
            throws Exception {
        return insert(dir, warmup, timed, transactionSize, synchronous, false, MULTI_ROW);
    }

    /** Ticks per statement of (b+). */
    static final int MULTI_ROW = 50;

    private static Rates insert(Path dir, List<Tick> warmup, List<Tick> timed, int transactionSize, String synchronous,
                                boolean noMutex, int rowsPerStatement) throws Exception {
        double cold = warmup.isEmpty() ? Double.NaN
                : insert(dir, warmup, transactionSize, synchronous, noMutex, rowsPerStatement);
        return new Rates(cold, insert(dir, timed, transactionSize, synchronous, noMutex, rowsPerStatement));
    }

    private static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ticks (symbol, timestamp, bid, ask, spread, lp_source, "
                + "broker_id) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
        }
        return sql.toString();
    }

    private static void bind(PreparedStatement insert, int base, Tick t) throws java.sql.SQLException {
        insert.setString(base + 1, t.symbol());
        insert.setLong(base + 2, t.timestampMillis());
        insert.setDouble(base + 3, t.bid());
        insert.setDouble(base + 4, t.ask());
        insert.setDouble(base + 5, t.spread());
        insert.setString(base + 6, t.lpSource());
        insert.setString(base + 7, t.brokerId());
    }

    /** One run of the loop into a new file; returns ticks/s. */
    private static double insert(Path dir, List<Tick> ticks, int transactionSize, String synchronous, boolean noMutex,
                                 int rowsPerStatement) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("bare-" + synchronous + ".db");
        Files.deleteIfExists(file);
        SQLiteConfig config = new SQLiteConfig();
        if (noMutex) {
            config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        }
        try (Connection c = config.createConnection("jdbc:sqlite:" + file)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode = WAL");
                st.execute("PRAGMA synchronous = " + synchronous);
                st.execute("PRAGMA cache_size = -65536");
                st.execute("PRAGMA temp_store = MEMORY"); // as the store opens day files
                st.execute("PRAGMA wal_autocheckpoint = 10000");
                for (String ddl : DayDatabase.schemaStatements()) {
                    st.execute(ddl);
                }
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement insert = c.prepareStatement(insertSql(1));
                 PreparedStatement multi = c.prepareStatement(insertSql(rowsPerStatement))) {
                for (int from = 0; from < ticks.size(); from += transactionSize) {
                    List<Tick> tx = ticks.subList(from, Math.min(ticks.size(), from + transactionSize));
                    int i = 0;
                    int pending = 0;
                    if (rowsPerStatement > 1) {
                        for (; i + rowsPerStatement <= tx.size(); i += rowsPerStatement) {
                            for (int r = 0; r < rowsPerStatement; r++) {
                                bind(multi, r * 7, tx.get(i + r));
                            }
                            multi.addBatch();
                            if (++pending * rowsPerStatement >= 1024) {
                                multi.executeBatch();
                                pending = 0;
                            }
                        }
                        if (pending > 0) {
                            multi.executeBatch();
                            pending = 0;
                        }
                    }
                    for (; i < tx.size(); i++) {
                        bind(insert, 0, tx.get(i));
                        // the driver steps a batch's rows in one call
                        insert.addBatch();
                        if (++pending == 1024) {
                            insert.executeBatch();
                            pending = 0;
                        }
                    }
                    if (pending > 0) {
                        insert.executeBatch();
                    }
                    c.commit();
                }
            }
            return ticks.size() / ((System.nanoTime() - start) / 1e9);
        }
    }
}
