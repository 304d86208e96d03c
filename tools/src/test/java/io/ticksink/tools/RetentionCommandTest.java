package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionCommandTest {

    // the fixed clock of Cli.run is 2026-03-01T12:00Z
    private static final LocalDate OLD = LocalDate.parse("2026-01-10");
    private static final LocalDate RECENT = LocalDate.parse("2026-02-25");

    @TempDir
    Path dataDir;

    private Path oldFile;
    private Path recentFile;

    @BeforeEach
    void anOldAndARecentDay() throws Exception {
        DayFixtures.write(dataDir,
                tick("EURUSD", "2026-01-10T10:00:00Z", 1.0, 1.1),
                tick("GBPUSD", "2026-01-10T11:00:00Z", 2.0, 2.1),
                tick("EURUSD", "2026-02-25T10:00:00Z", 3.0, 3.1));
        oldFile = DayFiles.path(dataDir, OLD);
        recentFile = DayFiles.path(dataDir, RECENT);
    }

    @Test
    void compressesOldDaysToArchivesThatRestoreToTheSameTicksAndPositions() throws Exception {
        List<Tick> before = DayReader.readAll(oldFile);
        Map<String, Long> positionsBefore = DayReader.positions(oldFile);

        Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress");

        assertThat(run.exitCode()).isZero();
        Path archive = DayArchiver.archiveOf(oldFile);
        assertThat(archive).exists();
        assertThat(oldFile).doesNotExist();
        assertThat(oldFile.resolveSibling(oldFile.getFileName() + "-wal")).doesNotExist();
        assertThat(oldFile.resolveSibling(oldFile.getFileName() + "-shm")).doesNotExist();
        assertThat(recentFile).exists();
        assertThat(run.out()).contains("compressed " + oldFile);

        Cli.Run restore = Cli.run("restore", "--data-dir", dataDir.toString(), "--day", OLD.toString());

        assertThat(restore.exitCode()).isZero();
        assertThat(archive).doesNotExist();
        assertThat(DayReader.readAll(oldFile)).isEqualTo(before);
        assertThat(DayReader.positions(oldFile)).containsAllEntriesOf(positionsBefore);
    }

    @Test
    void restoringAnArchiveAgainAddsNothing() throws Exception {
        List<Tick> before = DayReader.readAll(oldFile);
        Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress");

        Cli.Run first = Cli.run("restore", "--data-dir", dataDir.toString(), "--day", OLD.toString(), "--keep-archive");
        Cli.Run again = Cli.run("restore", "--data-dir", dataDir.toString(), "--day", OLD.toString());

        assertThat(first.exitCode()).isZero();
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already merged");
        assertThat(DayReader.readAll(oldFile)).isEqualTo(before);
        assertThat(DayArchiver.archiveOf(oldFile)).doesNotExist();
    }

    @Test
    void restoreMergesAnArchiveIntoADayFileWrittenSinceWithoutLosingEitherSide() throws Exception {
        Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress");
        try (TickStore store = new TickStore(dataDir, DayFixtures.OPTIONS)) {
            StreamChunk late = new StreamChunk("kafka:ticks:0", null, 1);
            late.add(7, tick("USDJPY", "2026-01-10T23:59:00Z", 150.0, 150.1));
            store.write(OLD, List.of(late));
        }

        Cli.Run run = Cli.run("restore", "--data-dir", dataDir.toString(), "--day", OLD.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(DayReader.readAll(oldFile)).extracting(Tick::symbol).containsExactly("EURUSD", "GBPUSD", "USDJPY");
        assertThat(DayReader.positions(oldFile)).containsEntry("kafka:ticks:0", 8L);
    }

    @Test
    void deletesOldDayFilesAndArchives() throws Exception {
        Path olderArchive = DayArchiver.archiveOf(DayFiles.path(dataDir, LocalDate.parse("2025-12-01")));
        Files.createDirectories(olderArchive.getParent());
        Files.write(olderArchive, new byte[] {1, 2, 3});

        Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--delete");

        assertThat(run.exitCode()).isZero();
        assertThat(oldFile).doesNotExist();
        assertThat(olderArchive).doesNotExist();
        assertThat(recentFile).exists();
    }

    @Test
    void changesNothingOnADryRun() throws Exception {
        Map<Path, FileTime> before = snapshot();

        Cli.Run compress = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress", "--dry-run");
        Cli.Run delete = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "1d", "--delete", "--dry-run");

        assertThat(compress.exitCode()).isZero();
        assertThat(compress.out()).contains("would compress " + oldFile).doesNotContain(recentFile.toString());
        assertThat(delete.out()).contains("would delete " + oldFile, "would delete " + recentFile);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void skipsADayThatAWriterHoldsOpen() throws Exception {
        try (TickStore store = new TickStore(dataDir, DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk("kafka:ticks:0", null, 1);
            chunk.add(0, tick("EURUSD", "2026-01-10T12:00:00Z", 1.0, 1.1));
            store.write(OLD, List.of(chunk)); // the store keeps the file open after writing

            Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress",
                    "--busy-timeout", "200ms");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("SKIPPED  " + oldFile);
            assertThat(oldFile).exists();
            assertThat(DayArchiver.archiveOf(oldFile)).doesNotExist();
        }
    }

    @Test
    void requiresExactlyOneOfCompressAndDelete() {
        Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(oldFile).exists();
    }

    private Map<Path, FileTime> snapshot() throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dataDir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(p, Files.getLastModifiedTime(p));
            }
        }
        return files;
    }
}
