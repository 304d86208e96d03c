package io.ticksink.bench.migrator;

import io.ticksink.bench.Archive;
import io.ticksink.migrator.InProcessMigration;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.Tick;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates an archive, then measures (b) a bare single-threaded sqlite-jdbc loop inserting the
 * already-parsed ticks into the day schema and (e) the migrator, in this JVM, on the same archive,
 * and prints both with the ratio (e)/(b). Rounds of (b) and (e) alternate, so that load from other
 * processes on a shared machine falls on both alike; their medians are compared.
 */
@Command(name = "migrator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The migrator in this JVM against a bare sqlite-jdbc insert loop on the same archive.")
public final class MigratorBenchmark implements Callable<Integer> {

    private static final int TX_ROWS = 50_000;

    @Option(names = "--symbols", defaultValue = "64", description = "Symbols of the archive (default: ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--days", defaultValue = "4", description = "Days of the archive (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--ticks-per-file", defaultValue = "4000",
            description = "Ticks per symbol and day (default: ${DEFAULT-VALUE}).")
    int perFile;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of (b) and (e), in turn (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("ticksink-bench");
        try {
            Path input = work.resolve("archive");
            long generated = Archive.write(input, symbols, days, perFile, true);
            long bytes;
            try (Stream<Path> files = Files.walk(input)) {
                bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            System.out.printf("archive: %d symbols x %d days x %,d ticks = %,d ticks, %,d MiB of pretty JSON arrays%n",
                    symbols, days, perFile, generated, bytes >> 20);
            System.out.printf("machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));

            Map<LocalDate, List<Tick>> parsed = parse(input);
            double[] bare = new double[rounds];
            double[] migrated = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                bare[r] = bare(parsed, work.resolve("bare-" + r));
                System.gc();
                migrated[r] = migrator(input, work.resolve("migrated-" + r), generated);
                System.out.printf("round %d: (b) %,.0f ticks/s, (e) %,.0f ticks/s, (e)/(b) %.2f%n",
                        r + 1, bare[r], migrated[r], migrated[r] / bare[r]);
                delete(work.resolve("bare-" + r));
                delete(work.resolve("migrated-" + r));
            }
            double b = median(bare);
            double e = median(migrated);
            System.out.printf("(b) bare sqlite-jdbc loop, 1 thread, %,d-row transactions: %,.0f ticks/s (median of %d)%n",
                    TX_ROWS, b, rounds);
            System.out.printf("(e) migrator, JSON files to day files:                     %,.0f ticks/s (median of %d)%n",
                    e, rounds);
            System.out.printf("ratio (e)/(b): %.2f; vs legacy 30-40K ticks/s: %.0f-%.0fx%n", e / b, e / 40_000, e / 30_000);
        } finally {
            delete(work);
        }
        return 0;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** All ticks in memory, per day, in the order the migrator reads them (untimed). */
    private static Map<LocalDate, List<Tick>> parse(Path input) throws IOException, InterruptedException {
        Map<LocalDate, List<Tick>> byDay = new TreeMap<>();
        InProcessMigration.read(input,
                tick -> byDay.computeIfAbsent(DayFiles.day(tick.timestampMillis()), d -> new ArrayList<>()).add(tick));
        return byDay;
    }

    /** (b): one thread, one connection per day file, the day schema and PRAGMAs, 50k-row transactions. */
    private static double bare(Map<LocalDate, List<Tick>> byDay, Path dir) throws Exception {
        StoreOptions options = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);
        long count = 0;
        long start = System.nanoTime();
        for (Map.Entry<LocalDate, List<Tick>> day : byDay.entrySet()) {
            Path file = DayFiles.path(dir, day.getKey());
            DayDatabase.open(file, options).close(); // creates the schema
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(5000);
            config.setCacheSize(-options.cacheSizeKib());
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
            config.setGetGeneratedKeys(false);
            try (Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
                try (var st = c.createStatement()) {
                    st.execute("PRAGMA wal_autocheckpoint = " + options.walAutocheckpointPages());
                }
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ticks (symbol, timestamp, bid, ask, spread, "
                        + "lp_source, broker_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    int inTx = 0;
                    for (Tick t : day.getValue()) {
                        ps.setString(1, t.symbol());
                        ps.setLong(2, t.timestampMillis());
                        ps.setDouble(3, t.bid());
                        ps.setDouble(4, t.ask());
                        ps.setDouble(5, t.spread());
                        setNullable(ps, 6, t.lpSource());
                        setNullable(ps, 7, t.brokerId());
                        ps.addBatch();
                        if (++inTx % 1024 == 0) {
                            ps.executeBatch();
                        }
                        if (inTx == TX_ROWS) {
                            ps.executeBatch();
                            c.commit();
                            inTx = 0;
                        }
                        count++;
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    /** (e): the migrator with its defaults, from scan to the last commit. */
    private static double migrator(Path input, Path output, long expected) throws IOException, InterruptedException {
        InProcessMigration.Outcome result = InProcessMigration.run(input, output);
        if (result.committed() != expected || result.exitCode() != 0) {
            throw new IllegalStateException("the migrator stored " + result.committed() + " of " + expected
                    + " (exit code " + result.exitCode() + ")");
        }
        return expected / (result.elapsedNanos() / 1e9);
    }
}
