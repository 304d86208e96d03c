package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --format parquet}, each file read back by DuckDB and compared with the SQLite day file. */
class ExportCommandTest {

    private static final LocalDate DAY1 = LocalDate.parse("2026-01-19");
    private static final LocalDate DAY2 = LocalDate.parse("2026-01-20");

    @TempDir
    Path work;

    private Path data() {
        return work.resolve("data");
    }

    private Path out() {
        return work.resolve("out");
    }

    /** Symbols out of order, one above U+FFFF, ticks either side of midnight, empty and set optional columns. */
    private void ticksAcrossMidnight() throws Exception {
        ParquetFiles.writeStream(data(), StreamChunk.kafkaStream("ticks", 0), 0,
                new Tick("USDJPY", ms("2026-01-19T23:59:59.999Z"), 157.123, 157.125, 0.002, null, "B7"),
                tick("EURUSD", "2026-01-19T08:00:00.001Z", 1.0842, 1.0843),
                tick("EURUSD", "2026-01-19T08:00:00.001Z", 1.0841, 1.0844),
                tick("\uD83D\uDCB6EUR", "2026-01-19T12:00:00Z", 0.1 + 0.2, 0.30000000000000004),
                tick("EURUSD", "2026-01-20T00:00:00Z", 1.0850, 1.0851),
                tick("USDJPY", "2026-01-20T00:00:00.001Z", 157.2, 157.21));
    }

    private static long ms(String instant) {
        return java.time.Instant.parse(instant).toEpochMilli();
    }

    private Cli.Run export(String... more) {
        List<String> args = new ArrayList<>(List.of("export", "--data-dir", data().toString(), "--format", "parquet",
                "--out", out().toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void eachDayOfTheRangeBecomesOneFileThatDuckDbReadsBackRowForRowInTheDayFilesOrder() throws Exception {
        ticksAcrossMidnight();

        Cli.Run run = export("--from", "2026-01-19", "--to", "2026-01-20");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(listing(out())).containsExactly("ticks_2026-01-19.parquet", "ticks_2026-01-20.parquet");
        for (LocalDate day : List.of(DAY1, DAY2)) {
            Path parquet = out().resolve(ParquetDayFile.fileName(day));
            List<List<Object>> exported = ParquetFiles.duckdb(ParquetFiles.DUCKDB_ROWS, parquet);
            List<List<Object>> stored = ParquetFiles.sqlite(ParquetFiles.SQLITE_ROWS, DayFiles.path(data(), day));
            assertThat(stored).isNotEmpty();
            // exact: same doubles bit for bit, same milliseconds, same nulls, same order
            assertThat(exported).isEqualTo(stored);
        }
        assertThat(run.lines()).containsExactly(
                "2026-01-19  4 ticks  " + size("ticks_2026-01-19.parquet") + "  " + out().resolve("ticks_2026-01-19.parquet"),
                "2026-01-20  2 ticks  " + size("ticks_2026-01-20.parquet") + "  " + out().resolve("ticks_2026-01-20.parquet"),
                "2 days exported, 0 skipped: 6 ticks, " + FileSizes.human(sizeOf("ticks_2026-01-19.parquet") + sizeOf("ticks_2026-01-20.parquet")));
    }

    @Test
    void theFileDeclaresUtcMillisecondTimestampsStringsZstdAndRowGroupsOfAMillionRows() throws Exception {
        // one more row than a row group holds, in a day of two symbols
        int rows = ParquetTickWriter.ROWS_PER_GROUP + 1000;
        writeMany(data(), DAY1, rows, "EURUSD", "USDJPY");

        Cli.Run run = export("--from", "2026-01-19", "--to", "2026-01-19");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Path parquet = out().resolve("ticks_2026-01-19.parquet");
        assertThat(ParquetFiles.duckdb("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", parquet))
                .containsExactly(List.of("symbol", "VARCHAR"), List.of("timestamp", "TIMESTAMP WITH TIME ZONE"),
                        List.of("bid", "DOUBLE"), List.of("ask", "DOUBLE"), List.of("spread", "DOUBLE"),
                        List.of("lp_source", "VARCHAR"), List.of("broker_id", "VARCHAR"));
        assertThat(ParquetFiles.duckdb("SELECT name, type, repetition_type, logical_type FROM parquet_schema(?) WHERE name = 'timestamp'", parquet))
                .singleElement().satisfies(row -> {
                    assertThat(row.subList(0, 3)).containsExactly("timestamp", "INT64", "REQUIRED");
                    assertThat(String.valueOf(row.get(3))).contains("isAdjustedToUTC=1").contains("MILLIS");
                });
        assertThat(ParquetFiles.duckdb("SELECT converted_type FROM parquet_schema(?) WHERE name = 'symbol'", parquet))
                .containsExactly(List.of("UTF8"));
        // two row groups: a million rows, then the rest; every column chunk ZSTD, the symbol dictionary-encoded
        assertThat(ParquetFiles.duckdb("SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(?) ORDER BY 1", parquet))
                .containsExactly(List.of(0L, (long) ParquetTickWriter.ROWS_PER_GROUP), List.of(1L, 1000L));
        assertThat(ParquetFiles.duckdb("SELECT DISTINCT compression FROM parquet_metadata(?)", parquet))
                .containsExactly(List.of("ZSTD"));
        assertThat(ParquetFiles.duckdb("SELECT encodings FROM parquet_metadata(?) WHERE path_in_schema = 'symbol'", parquet))
                .allSatisfy(row -> assertThat(String.valueOf(row.get(0))).contains("DICTIONARY"));
        // sorted by symbol: the second row group holds USDJPY only, which its statistics show to a reader
        assertThat(ParquetFiles.duckdb("SELECT stats_min_value, stats_max_value FROM parquet_metadata(?) "
                + "WHERE path_in_schema = 'symbol' AND row_group_id = 1", parquet))
                .containsExactly(List.of("USDJPY", "USDJPY"));
        // counts and price checksums per symbol equal the day file's (sums of integers: the two engines
        // add doubles in different ways)
        assertThat(ParquetFiles.duckdb("SELECT symbol, count(*), sum(CAST(round(bid * 1e5) AS BIGINT)), sum(CAST(round(ask * 1e5) AS BIGINT)), "
                + "min(epoch_ms(timestamp)), max(epoch_ms(timestamp)) FROM read_parquet(?) GROUP BY symbol ORDER BY symbol", parquet))
                .isEqualTo(ParquetFiles.sqlite("SELECT symbol, count(*), sum(CAST(round(bid * 1e5) AS INTEGER)), sum(CAST(round(ask * 1e5) AS INTEGER)), "
                        + "min(timestamp), max(timestamp) FROM ticks GROUP BY symbol ORDER BY symbol",
                        DayFiles.path(data(), DAY1)));
    }

    @Test
    void severalDataDirsHoldingCopiesOfTheSameRecordsExportEachRecordOnce() throws Exception {
        Path node1 = work.resolve("node1");
        Path node2 = work.resolve("node2");
        String partition = StreamChunk.kafkaStream("ticks", 0);
        Tick a0 = tick("EURUSD", "2026-01-19T10:00:00Z", 1.10, 1.1002);
        Tick a1 = tick("EURUSD", "2026-01-19T10:00:01Z", 1.11, 1.1102);
        Tick a2 = tick("EURUSD", "2026-01-19T10:00:02Z", 1.12, 1.1202);
        // both nodes stored record 1; a second record with a1's content (offset 3) is a distinct tick
        ParquetFiles.writeStream(node1, partition, 0, a0, a1);
        ParquetFiles.writeStream(node2, partition, 1, a1, a2, a1);

        Cli.Run run = Cli.run("export", "--data-dir", node1.toString(), "--data-dir", node2.toString(),
                "--from", "2026-01-19", "--to", "2026-01-19", "--out", out().toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(ParquetFiles.duckdb("SELECT epoch_ms(timestamp), bid FROM read_parquet(?)", out().resolve("ticks_2026-01-19.parquet")))
                .containsExactly(List.of(a0.timestampMillis(), 1.10), List.of(a1.timestampMillis(), 1.11),
                        List.of(a1.timestampMillis(), 1.11), List.of(a2.timestampMillis(), 1.12));
    }

    @Test
    void aRangeWithoutDayFilesWritesNoFileAndADayWithoutTheSymbolGetsAnEmptyFile() throws Exception {
        ticksAcrossMidnight();

        Cli.Run none = export("--from", "2026-02-01", "--to", "2026-02-28");
        assertThat(none.exitCode()).as(none.err()).isZero();
        assertThat(none.lines()).containsExactly("0 days exported, 0 skipped: 0 ticks, 0 B");
        assertThat(listing(out())).isEmpty();

        Cli.Run absent = export("--from", "2026-01-19", "--to", "2026-01-19", "--symbol", "GBPUSD");
        assertThat(absent.exitCode()).as(absent.err()).isZero();
        Path parquet = out().resolve("ticks_2026-01-19.parquet");
        assertThat(ParquetFiles.duckdb("SELECT count(*) FROM read_parquet(?)", parquet)).containsExactly(List.of(0L));
        assertThat(ParquetFiles.duckdb("SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet(?))", parquet)).containsExactly(List.of(7L));
    }

    @Test
    void givenSymbolsAreExportedAloneInTheDayFilesOrder() throws Exception {
        ticksAcrossMidnight();

        Cli.Run run = export("--from", "2026-01-19", "--to", "2026-01-19", "--symbol", "USDJPY", "--symbol", "EURUSD", "--symbol", "USDJPY");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(ParquetFiles.duckdb("SELECT symbol, bid FROM read_parquet(?)", out().resolve("ticks_2026-01-19.parquet")))
                .containsExactly(List.of("EURUSD", 1.0842), List.of("EURUSD", 1.0841), List.of("USDJPY", 157.123));
    }

    @Test
    void aRerunReplacesTheDaysFileUnlessToldToSkipExistingFiles() throws Exception {
        ticksAcrossMidnight();
        assertThat(export("--from", "2026-01-20", "--to", "2026-01-20").exitCode()).isZero();
        Path parquet = out().resolve("ticks_2026-01-20.parquet");
        ParquetFiles.writeStream(data(), StreamChunk.kafkaStream("ticks", 1), 0, tick("GBPUSD", "2026-01-20T09:00:00Z", 1.27, 1.2702));

        Cli.Run skipped = export("--from", "2026-01-20", "--to", "2026-01-20", "--skip-existing");
        assertThat(skipped.lines()).containsExactly("2026-01-20  skipped: " + parquet + " exists", "0 days exported, 1 skipped: 0 ticks, 0 B");
        assertThat(ParquetFiles.duckdb("SELECT count(*) FROM read_parquet(?)", parquet)).containsExactly(List.of(2L));

        Cli.Run replaced = export("--from", "2026-01-20", "--to", "2026-01-20");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(ParquetFiles.duckdb("SELECT count(*) FROM read_parquet(?)", parquet)).containsExactly(List.of(3L));
        assertThat(listing(out())).containsExactly("ticks_2026-01-20.parquet");
    }

    @Test
    void aTemporaryFileLeftByAKilledExportIsRemovedByTheNextExportOfThatDay() throws Exception {
        ticksAcrossMidnight();
        Files.createDirectories(out());
        Path leftover = out().resolve(".ticks_2026-01-19.parquet.5eed.tmp");
        Files.write(leftover, new byte[] {'P', 'A', 'R', '1', 0, 0});
        Path otherDays = out().resolve(".ticks_2026-01-21.parquet.5eed.tmp");
        Files.write(otherDays, new byte[] {'P', 'A', 'R', '1'});

        Cli.Run run = export("--from", "2026-01-19", "--to", "2026-01-19");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(leftover).doesNotExist();
        // another day's leftover is that day's export's to clean
        assertThat(listing(out())).containsExactly(".ticks_2026-01-21.parquet.5eed.tmp", "ticks_2026-01-19.parquet");
    }

    @Test
    void aFormatOtherThanParquetIsAUsageError() throws Exception {
        ticksAcrossMidnight();

        Cli.Run run = export("--from", "2026-01-19", "--to", "2026-01-19", "--format", "orc");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--format").contains("parquet");
        assertThat(out()).doesNotExist();
    }

    /** {@code n} ticks of one day, the symbols taking turns, in transactions of 50,000 (the consumer's sort of batch). */
    static void writeMany(Path dataDir, LocalDate day, int n, String... symbols) throws Exception {
        long start = DayFiles.startMillis(day);
        try (DayDatabase db = DayDatabase.open(DayFiles.path(dataDir, day), DayFixtures.OPTIONS)) {
            for (int first = 0; first < n; first += 50_000) {
                int size = Math.min(50_000, n - first);
                StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream("ticks", 0), null, size);
                for (int i = first; i < first + size; i++) {
                    double bid = 1.0 + (i % 10_000) * 1e-5;
                    chunk.add(i, new Tick(symbols[i % symbols.length], start + i * (86_400_000L / n), bid, bid + 0.0002,
                            0.0002, i % 3 == 0 ? null : "LP" + (i % 3), i % 5 == 0 ? "B1" : null));
                }
                db.write(List.of(chunk));
            }
        }
    }

    private static List<String> listing(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private long sizeOf(String name) throws Exception {
        return Files.size(out().resolve(name));
    }

    private String size(String name) throws Exception {
        return FileSizes.human(sizeOf(name));
    }
}
