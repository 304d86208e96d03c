package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.schema.Tick;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Symbolic links in the archive: followed, each file loaded once, cycles not followed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a cycle followed forever would hang the scan
class SymlinkInputTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path dir;

    private Path input() {
        return dir.resolve("archive");
    }

    private Path output() {
        return dir.resolve("data");
    }

    private record Run(int exit, String out) {
    }

    private Run migrate(String... extra) {
        List<String> args = new ArrayList<>(List.of("--input-dir", input().toString(), "--output-dir",
                output().toString(), "--progress", "none", "--threads", "2", "--writers", "2"));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out + err.toString());
    }

    @Test
    void linkedSymbolDirectoriesAndFilesLoadOnceEachAndACycleIsNamedNotFollowed() throws Exception {
        Map<Tick, Integer> expected = new HashMap<>();
        Path outside = dir.resolve("elsewhere");
        ArchiveGenerator.write(input(), FileSpec.plain("EURUSD", DAY, 100), t -> StoredRows.add(expected, t));
        ArchiveGenerator.write(outside, FileSpec.plain("GBPUSD", DAY, 200), t -> StoredRows.add(expected, t));
        ArchiveGenerator.write(outside, FileSpec.plain("USDJPY", DAY, 300), t -> StoredRows.add(expected, t));
        String day = DAY + ".json";
        // a symbol directory that lives on another disk
        Files.createSymbolicLink(input().resolve("GBPUSD"), outside.resolve("GBPUSD"));
        // a single file linked in
        Files.createDirectories(input().resolve("USDJPY"));
        Files.createSymbolicLink(input().resolve("USDJPY").resolve(day), outside.resolve("USDJPY").resolve(day));
        // the same files reached twice: a second name for a symbol directory of the archive, and a
        // second link to the file outside that GBPUSD reaches too
        Files.createSymbolicLink(input().resolve("ALIAS"), Path.of("EURUSD"));
        Files.createDirectories(input().resolve("AUDUSD"));
        Files.createSymbolicLink(input().resolve("AUDUSD").resolve(day), outside.resolve("GBPUSD").resolve(day));
        // a cycle: the archive inside itself
        Files.createSymbolicLink(input().resolve("LOOP"), Path.of("."));

        Run run = migrate("--verify");

        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
        assertThat(run.out())
                .contains("3 found: 3 loaded")
                .contains("600 stored, 0 already stored")
                .contains("2 source files reached through symbolic links, 3 paths skipped")
                .contains("ALIAS/" + day + ": the same file as EURUSD/" + day + ": loaded once")
                .contains("GBPUSD/" + day + ": the same file as AUDUSD/" + day + ": loaded once")
                .contains("LOOP: a symbolic link to a directory above it (a cycle): not followed")
                .contains("counts per symbol and day match");

        Run again = migrate();
        assertThat(again.out()).as(again.out()).contains("3 found: 0 loaded, 3 already loaded");
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
    }

    @Test
    void aLinkThatLeadsNowhereIsReportedAsABrokenFile() throws Exception {
        Map<Tick, Integer> expected = new HashMap<>();
        ArchiveGenerator.write(input(), FileSpec.plain("EURUSD", DAY, 100), t -> StoredRows.add(expected, t));
        Files.createSymbolicLink(input().resolve("EURUSD").resolve("2026-01-20.json"), dir.resolve("gone.json"));

        Run run = migrate();

        assertThat(run.exit()).as(run.out()).isEqualTo(1);
        assertThat(StoredRows.multiset(output())).isEqualTo(expected);
        assertThat(run.out()).contains("2 found: 1 loaded, 1 broken");
        List<JsonNode> report = new ArrayList<>();
        for (String line : Files.readAllLines(output().resolve(RejectsReport.FILE_NAME))) {
            report.add(new ObjectMapper().readTree(line));
        }
        assertThat(report).singleElement().satisfies(entry -> {
            assertThat(entry.get("file").asText()).isEqualTo("EURUSD/2026-01-20.json");
            assertThat(entry.get("reason").asText()).isEqualTo("BROKEN_FILE");
            assertThat(entry.get("detail").asText()).contains("cannot read the file");
        });
    }
}
