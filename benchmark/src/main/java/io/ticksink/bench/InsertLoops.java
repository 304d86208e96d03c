package io.ticksink.bench;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.NativeLibraryDir;
import io.ticksink.schema.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The bare insert loop in its variants, in turn, to see what each part of the store's write path
 * gives: one row or {@link #ROWS} rows per statement, rows in arrival order or grouped by symbol
 * per transaction. The schema of a day file with its lineage columns, NOMUTEX, {@code
 * temp_store=MEMORY}, 20,000-row {@code synchronous=FULL} transactions, as the store writes.
 *
 * <pre>java -cp benchmark/target/ticksink-benchmark.jar io.ticksink.bench.InsertLoops [warm-up] [timed] [rounds]</pre>
 */
public final class InsertLoops {

    private static final int ROWS = 50;
    private static final int TRANSACTION = 20_000;

    private InsertLoops() {
    }

    public static void main(String[] args) throws Exception {
        long warmup = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long timed = args.length > 1 ? Long.parseLong(args[1]) : 2_000_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        NativeLibraryDir.prepare();
        List<Tick> warm = Bare.ticks(warmup, 64);
        List<Tick> ticks = Bare.ticks(timed, 64);
        Path dir = Files.createTempDirectory("insert-loops");
        for (int round = 1; round <= rounds; round++) {
            for (int rows : new int[] {1, ROWS}) {
                for (boolean grouped : new boolean[] {false, true}) {
                    run(dir.resolve("warm.db"), warm, rows, grouped);
                    double rate = run(dir.resolve("timed.db"), ticks, rows, grouped);
                    System.out.printf("round %d: %2d row(s) per statement, %-14s %,10.0f ticks/s%n", round, rows,
                            grouped ? "grouped" : "arrival order", rate);
                }
            }
        }
    }

    private static double run(Path file, List<Tick> ticks, int rowsPerStatement, boolean grouped) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setCacheSize(-65536);
        try (Connection c = config.createConnection("jdbc:sqlite:" + file)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_autocheckpoint = 10000");
                for (String ddl : DayDatabase.schemaStatements()) {
                    st.execute(ddl);
                }
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement one = c.prepareStatement(sql(1));
                 PreparedStatement many = c.prepareStatement(sql(rowsPerStatement))) {
                for (int from = 0; from < ticks.size(); from += TRANSACTION) {
                    List<Tick> tx = ticks.subList(from, Math.min(ticks.size(), from + TRANSACTION));
                    insert(grouped ? grouped(tx) : tx, from, one, many, rowsPerStatement);
                    c.commit();
                }
            }
            return ticks.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The ticks grouped by symbol, symbols in order of first appearance, each symbol's in arrival order. */
    private static List<Tick> grouped(List<Tick> ticks) {
        Map<String, List<Tick>> bySymbol = new LinkedHashMap<>();
        for (Tick t : ticks) {
            bySymbol.computeIfAbsent(t.symbol(), s -> new ArrayList<>()).add(t);
        }
        List<Tick> result = new ArrayList<>(ticks.size());
        bySymbol.values().forEach(result::addAll);
        return result;
    }

    private static void insert(List<Tick> tx, int firstPosition, PreparedStatement one, PreparedStatement many, int rows)
            throws SQLException {
        int i = 0;
        int pending = 0;
        if (rows > 1) {
            for (; i + rows <= tx.size(); i += rows) {
                for (int r = 0; r < rows; r++) {
                    bind(many, r * 9, tx.get(i + r), firstPosition + i + r);
                }
                many.addBatch();
                if (++pending * rows >= 1024) {
                    many.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                many.executeBatch();
                pending = 0;
            }
        }
        for (; i < tx.size(); i++) {
            bind(one, 0, tx.get(i), firstPosition + i);
            one.addBatch();
            if (++pending == 1024) {
                one.executeBatch();
                pending = 0;
            }
        }
        if (pending > 0) {
            one.executeBatch();
        }
    }

    private static void bind(PreparedStatement insert, int base, Tick t, long position) throws SQLException {
        insert.setString(base + 1, t.symbol());
        insert.setLong(base + 2, t.timestampMillis());
        insert.setDouble(base + 3, t.bid());
        insert.setDouble(base + 4, t.ask());
        insert.setDouble(base + 5, t.spread());
        insert.setString(base + 6, t.lpSource());
        insert.setString(base + 7, t.brokerId());
        insert.setLong(base + 8, 1);
        insert.setLong(base + 9, position);
    }

    private static String sql(int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO ticks (symbol, timestamp, bid, ask, spread, lp_source, broker_id, "
                + "stream_id, position) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        return sql.toString();
    }
}
