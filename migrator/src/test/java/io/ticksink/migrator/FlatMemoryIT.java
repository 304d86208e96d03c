package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.migrator.ArchiveGenerator.Layout;
import io.ticksink.migrator.ArchiveGenerator.TimeStyle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory does not grow with the file: millions of ticks load in a 64 MB heap. */
class FlatMemoryIT {

    private static final int TICKS = 3_000_000;

    @TempDir
    Path dir;

    @Test
    void aGzipArrayOfThreeMillionTicksLoadsWithA64MegabyteHeap() throws Exception {
        Path input = dir.resolve("archive");
        Path output = dir.resolve("data");
        Path file = ArchiveGenerator.write(input, FileSpec.plain("EURUSD", LocalDate.of(2026, 1, 19), TICKS)
                .with(Layout.ARRAY_COMPACT).with(TimeStyle.EPOCH_MILLIS).gzipped(), null);
        assertThat(Files.size(file)).isGreaterThan(10L << 20);
        Path log = dir.resolve("migrator.log");

        int exit = ChildMigrator.run(log, "64m", Duration.ofSeconds(150),
                "--input-dir", input.toString(), "--output-dir", output.toString(), "--progress", "none");

        String out = Files.readString(log);
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("3,000,000 stored").doesNotContain("OutOfMemoryError");
        assertThat(StoredRows.count(output)).isEqualTo(TICKS);
    }
}
