package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code ticksink-tools.jar} (no Hadoop on its class path) exporting a day of more than
 * two row groups in a small heap, killed with SIGKILL after it wrote its first row group: no file
 * under the final name, and the next export writes the whole day and removes the leftover.
 */
class ExportKilledMidwayIT {

    private static final LocalDate DAY = LocalDate.parse("2026-01-19");
    private static final int ROWS = 2 * ParquetTickWriter.ROWS_PER_GROUP + 100_000;
    private static final Path JAR = Path.of("target", "ticksink-tools.jar");

    @TempDir
    Path work;

    private Process child;

    @AfterEach
    void killChild() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKilledExportLeavesNoFileUnderTheFinalNameAndTheNextExportWritesTheWholeDay() throws Exception {
        assertThat(JAR).as("the shaded jar, built by package before failsafe runs").isRegularFile();
        Path data = work.resolve("data");
        Path out = work.resolve("out");
        ExportCommandTest.writeMany(data, DAY, ROWS, "AUDUSD", "EURUSD", "GBPUSD", "USDJPY");
        Path target = out.resolve("ticks_2026-01-19.parquet");

        child = exportInChild(data, out, "killed");
        // a file in OUTDIR, whatever its name, holds more than the magic bytes once the first row group is written
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20)).until(
                () -> !child.isAlive() || files(out).stream().anyMatch(p -> p.toFile().length() > 4));
        assertThat(child.isAlive()).as("export still running when its first row group is on disk").isTrue();
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);

        assertThat(target).as("no file under the final name").doesNotExist();
        assertThat(temporaryFiles(out)).as("the killed export's partial file").hasSize(1);

        child = exportInChild(data, out, "rerun");
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("rerun finished").isTrue();
        assertThat(child.exitValue()).as(Files.readString(work.resolve("rerun.err"))).isZero();
        assertThat(Files.readAllLines(work.resolve("rerun.out")))
                .contains("1 days exported, 0 skipped: " + ROWS + " ticks, " + FileSizes.human(Files.size(target)));
        assertThat(temporaryFiles(out)).isEmpty();
        assertThat(ParquetFiles.duckdb("SELECT count(*), count(DISTINCT symbol) FROM read_parquet(?)", target))
                .containsExactly(List.of((long) ROWS, 4L));
        assertThat(ParquetFiles.duckdb("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(?)", target))
                .containsExactly(List.of(3L));
    }

    /** The jar as an operator runs it, in a heap far smaller than the day's ticks. */
    private Process exportInChild(Path data, Path out, String name) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx96m", "-XX:+ExitOnOutOfMemoryError", "-Dorg.sqlite.tmpdir=" + work,
                "-jar", JAR.toString(), "export", "--data-dir", data.toString(), "--from", DAY.toString(), "--to", DAY.toString(),
                "--format", "parquet", "--out", out.toString())
                .redirectOutput(work.resolve(name + ".out").toFile())
                .redirectError(work.resolve(name + ".err").toFile())
                .start();
    }

    private static List<Path> temporaryFiles(Path out) throws Exception {
        return files(out).stream().filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }

    private static List<Path> files(Path out) throws Exception {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.toList();
        }
    }
}
