package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ticksink.cli.ExitCodes;
import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.migrator.ArchiveGenerator.Layout;
import io.ticksink.migrator.ArchiveGenerator.TimeStyle;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrator end to end, in process, on real files and real SQLite day files. */
class MigrationTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path dir;

    private Path input() {
        return dir.resolve("archive");
    }

    private Path output() {
        return dir.resolve("data");
    }

    private record Run(int exit, String out, String err) {
    }

    private Run migrate(String... extra) {
        List<String> args = new ArrayList<>(List.of("--input-dir", input().toString(), "--output-dir",
                output().toString(), "--progress", "none", "--threads", "2", "--writers", "2"));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    private Map<Tick, Integer> write(FileSpec... specs) throws Exception {
        Map<Tick, Integer> expected = new HashMap<>();
        for (FileSpec spec : specs) {
            ArchiveGenerator.write(input(), spec, t -> StoredRows.add(expected, t));
        }
        return expected;
    }

    private List<JsonNode> report() throws Exception {
        Path file = output().resolve(RejectsReport.FILE_NAME);
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(file)) {
            ObjectMapper mapper = new ObjectMapper();
            for (String line : Files.readAllLines(file)) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void everyRowNamesTheSourceFileAndRecordIndexItCameFrom() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 50));

        assertThat(migrate().exit()).isZero();

        List<String> lineage = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + io.ticksink.schema.DayFiles.path(output(), DAY));
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT s.name, t.position FROM ticks t JOIN streams s "
                     + "ON s.id = t.stream_id ORDER BY t.position")) {
            while (rs.next()) {
                lineage.add(rs.getString(1) + "@" + rs.getLong(2));
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("file:EURUSD/" + DAY + ".json@" + i);
        }
        assertThat(lineage).isEqualTo(expected);
    }

    @Test
    void everyVariantLoadsEachTickIntoTheFileOfItsOwnUtcDay() throws Exception {
        Map<Tick, Integer> expected = write(
                FileSpec.plain("EURUSD", DAY, 500),
                FileSpec.plain("EURUSD", DAY.plusDays(1), 300).with(Layout.ARRAY_COMPACT),
                FileSpec.plain("GBPUSD", DAY, 400).with(Layout.NDJSON),
                FileSpec.plain("GBPUSD", DAY.plusDays(1), 400).with(Layout.NDJSON).ndjsonExtension(".ndjson").gzipped(),
                FileSpec.plain("USDJPY", DAY, 300).gzipped().withBom(),
                FileSpec.plain("USDJPY", DAY.plusDays(1), 300).with(Layout.NDJSON).withBom(),
                // local days of +02:00 and -05:00 cross UTC midnight into the day before and after
                FileSpec.plain("AUDUSD", DAY, 480).with(TimeStyle.RFC3339_OFFSET_PLUS_2),
                FileSpec.plain("AUDUSD", DAY.plusDays(1), 480).with(TimeStyle.RFC3339_OFFSET_MINUS_5)
                        .with(Layout.ARRAY_COMPACT),
                FileSpec.plain("EPOCHS", DAY, 100).with(TimeStyle.EPOCH_SECONDS),
                FileSpec.plain("EPOCHS", DAY.plusDays(1), 100).with(TimeStyle.EPOCH_SECONDS_FRACTION),
                FileSpec.plain("EPOCHS", DAY.plusDays(2), 100).with(TimeStyle.EPOCH_MILLIS).with(Layout.NDJSON),
                FileSpec.plain("EPOCHS", DAY.plusDays(3), 100).with(TimeStyle.EPOCH_MICROS),
                FileSpec.plain("EPOCHS", DAY.plusDays(4), 100).with(TimeStyle.EPOCH_NANOS).with(Layout.NDJSON).gzipped(),
                FileSpec.plain("NOSYMBOL", DAY, 200).withoutSymbol(),
                FileSpec.plain("NOSYMBOL", DAY.plusDays(1), 200).withoutSymbol().with(Layout.NDJSON));

        Run run = migrate("--batch-size", "128", "--max-queued-ticks", "512");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
        assertThat(DayFiles.list(output())).extracting(DayFiles::dayOf)
                .contains(DAY.minusDays(1), DAY, DAY.plusDays(2), DAY.plusDays(4));
        assertThat(run.out()).contains("15 found: 15 loaded").contains("0 rejected").contains("every file loaded");
        assertThat(report()).isEmpty();
    }

    @Test
    void aRerunStoresNothingTwiceAndSkipsLoadedFilesWithoutParsing() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000),
                FileSpec.plain("GBPUSD", DAY, 1000).with(Layout.NDJSON).gzipped());
        assertThat(migrate().exit()).isZero();

        Run again = migrate();

        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("2 found: 0 loaded, 2 already loaded").contains("0 read");
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
    }

    @Test
    void withoutTheLedgerARerunParsesAgainAndTheDayFilesSkipWhatTheyHold() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 1000).with(TimeStyle.RFC3339_OFFSET_PLUS_2));
        assertThat(migrate().exit()).isZero();
        Files.delete(output().resolve("migration-ledger.db"));

        Run again = migrate("--verify");

        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).contains("0 stored, 1,000 already stored").contains("counts per symbol and day match");
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
    }

    @Test
    void aSourceFileChangedSinceLoadedIsReportedAndNotLoadedAgain() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 100), FileSpec.plain("GBPUSD", DAY, 100));
        assertThat(migrate().exit()).isZero();
        ArchiveGenerator.write(input(), FileSpec.plain("EURUSD", DAY, 150), null); // rewritten with more ticks

        Run again = migrate();

        assertThat(again.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(again.out()).contains("1 changed since loaded");
        assertThat(report()).singleElement().satisfies(r -> {
            assertThat(r.get("file").asText()).isEqualTo("EURUSD/2026-01-19.json");
            assertThat(r.get("reason").asText()).isEqualTo("SOURCE_CHANGED");
        });
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
    }

    @Test
    void aChangedFileUnknownToTheLedgerIsRefusedByTheDayFiles() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 100));
        assertThat(migrate().exit()).isZero();
        Files.delete(output().resolve("migration-ledger.db"));
        ArchiveGenerator.write(input(), FileSpec.plain("EURUSD", DAY, 150), null);

        Run again = migrate();

        assertThat(again.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(report()).extracting(r -> r.get("reason").asText()).containsExactly("SOURCE_CHANGED");
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
    }

    @Test
    void theRejectsReportNamesFilePositionReasonAndRawTextAndTheRestLoads() throws Exception {
        Files.createDirectories(input().resolve("EURUSD"));
        Files.writeString(input().resolve("EURUSD/2026-01-19.json"), "[\n"
                + "  {\"bid\": 1.1, \"ask\": 1.2, \"timestamp\": \"2026-01-19T10:00:00Z\"},\n"
                + "  {\"bid\": 1.1, \"ask\": 1.2, \"timestamp\": \"yesterday\"},\n"
                + "  {\"bid\": 1.1, \"timestamp\": \"2026-01-19T10:00:01Z\"},\n"
                + "  {\"bid\": 1.1, \"ask\": 1.2, \"timestamp\": \"2026-01-19T10:00:02Z\"}\n"
                + "]\n");
        Files.createDirectories(input().resolve("GBPUSD"));
        Files.writeString(input().resolve("GBPUSD/2026-01-19.jsonl"),
                "{\"bid\":1.1,\"ask\":1.2,\"timestamp\":1768817730}\n"
                        + "{\"bid\":1.1,\"ask\":\n"
                        + "{\"bid\":1.1,\"ask\":1.2,\"timestamp\":1768817731}\n");

        Run run = migrate();

        assertThat(run.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.out()).contains("4 ticks, 3 rejected").contains("2 loaded with rejects");
        List<String> lines = new ArrayList<>();
        for (JsonNode r : report()) {
            lines.add(r.get("file").asText() + " " + r.get("position").asLong() + " " + r.get("reason").asText()
                    + " " + r.get("raw").asText());
        }
        assertThat(lines).containsExactlyInAnyOrder(
                "EURUSD/2026-01-19.json 1 BAD_TIMESTAMP {\"bid\": 1.1, \"ask\": 1.2, \"timestamp\": \"yesterday\"}",
                "EURUSD/2026-01-19.json 2 MISSING_FIELD {\"bid\": 1.1, \"timestamp\": \"2026-01-19T10:00:01Z\"}",
                "GBPUSD/2026-01-19.jsonl 1 NOT_JSON {\"bid\":1.1,\"ask\":");
        assertThat(report()).allSatisfy(r -> assertThat(r.get("detail").asText()).isNotBlank());
        assertThat(StoredRows.count(output())).isEqualTo(4);

        // files with rejects stay out of the ledger: a re-run reports them again and stores nothing twice
        Run again = migrate();
        assertThat(again.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(report()).hasSize(3);
        assertThat(StoredRows.count(output())).isEqualTo(4);
    }

    @Test
    void aTruncatedGzipFileIsReportedAndTheOtherFilesLoad() throws Exception {
        Map<Tick, Integer> expected = write(FileSpec.plain("EURUSD", DAY, 200));
        Path broken = ArchiveGenerator.write(input(), FileSpec.plain("GBPUSD", DAY, 5000).with(Layout.NDJSON).gzipped(),
                null);
        byte[] bytes = Files.readAllBytes(broken);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.createDirectories(input().resolve("USDJPY"));
        Files.write(input().resolve("USDJPY/2026-01-19.json.gz"), "not gzip".getBytes(StandardCharsets.UTF_8));

        Run run = migrate();

        assertThat(run.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.out()).contains("1 loaded").contains("2 broken");
        assertThat(report()).extracting(r -> r.get("file").asText() + " " + r.get("reason").asText())
                .containsExactlyInAnyOrder("GBPUSD/2026-01-19.jsonl.gz BROKEN_FILE", "USDJPY/2026-01-19.json.gz BROKEN_FILE");
        assertThat(report().stream().filter(r -> r.get("file").asText().startsWith("GBPUSD")).findFirst().orElseThrow()
                .get("detail").asText()).contains("truncated");
        // the records before the break are stored, the complete file entirely
        Map<Tick, Integer> stored = StoredRows.multiset(output());
        assertThat(stored.keySet()).containsAll(expected.keySet());
        assertThat(stored.keySet().stream().filter(t -> t.symbol().equals("GBPUSD")).count()).isPositive();
    }

    @Test
    void aDryRunParsesAndReportsButWritesNoDayFile() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 100));
        Files.writeString(input().resolve("EURUSD/2026-01-20.jsonl"), "{\"bid\":1}\n");

        Run run = migrate("--dry-run");

        assertThat(run.exit()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.out()).contains("dry run").contains("100 ticks, 1 rejected");
        assertThat(DayFiles.list(output())).isEmpty();
        assertThat(output().resolve("migration-ledger.db")).doesNotExist();
        assertThat(report()).hasSize(1);
    }

    @Test
    void verifyNamesTheSymbolAndDayWhoseRowsAreMissing() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 100), FileSpec.plain("GBPUSD", DAY, 100));
        assertThat(migrate().exit()).isZero();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + DayFiles.path(output(), DAY));
             Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM ticks WHERE rowid IN (SELECT rowid FROM ticks WHERE symbol = 'GBPUSD' LIMIT 3)");
        }

        Run run = migrate("--verify");

        assertThat(run.exit()).isEqualTo(ExitCodes.VERIFY_FAILED);
        assertThat(run.out()).contains("1 differences").contains("2026-01-19 GBPUSD       source 100, stored 97 (-3)");
    }

    @Test
    void aCorruptDayFileStopsTheRunWithTheFatalExitCodeAndIsLeftAsItWas() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 10));
        Path day = DayFiles.path(output(), DAY);
        Files.createDirectories(day.getParent());
        byte[] garbage = new byte[8192];
        java.util.Arrays.fill(garbage, (byte) 'x');
        Files.write(day, garbage);

        Run run = migrate();

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ExitCodes.FATAL);
        assertThat(run.err()).contains(day.getFileName().toString());
        assertThat(Files.readAllBytes(day)).isEqualTo(garbage);
    }

    @Test
    void badOptionsExitWithUsageErrorNamingTheOption() throws Exception {
        Files.createDirectories(input());
        Run run = migrate("--batch-size", "0");

        assertThat(run.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--batch-size");
    }

    @Test
    void otherFilesInTheArchiveAreIgnoredAndNamed() throws Exception {
        write(FileSpec.plain("EURUSD", DAY, 10));
        Files.writeString(input().resolve("EURUSD/README.txt"), "notes");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(input().resolve("EURUSD/x.csv.gz")))) {
            gz.write(1);
        }

        Run run = migrate();

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("2 other files ignored");
    }
}
