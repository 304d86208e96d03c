package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.schema.Tick;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessMigrationTest {

    private static final LocalDate DAY = LocalDate.parse("2026-01-19");

    @TempDir
    Path dir;

    @Test
    void readHandsOverEveryTickOfTheArchiveAndStoresNothing() throws Exception {
        Path input = dir.resolve("archive");
        Map<Tick, Integer> expected = new HashMap<>();
        ArchiveGenerator.write(input, FileSpec.plain("EURUSD", DAY, 300), t -> StoredRows.add(expected, t));
        ArchiveGenerator.write(input, FileSpec.plain("USDJPY", DAY.plusDays(1), 200).gzipped(),
                t -> StoredRows.add(expected, t));

        Map<Tick, Integer> read = new HashMap<>();
        InProcessMigration.read(input, t -> StoredRows.add(read, t));

        assertThat(read).isEqualTo(expected);
        assertThat(read.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(500);
        try (var files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".db"))).isEmpty();
        }
    }

    @Test
    void readRefusesARecordTheMigratorWouldReject() throws Exception {
        Path input = dir.resolve("archive");
        Path file = input.resolve("EURUSD").resolve("2026-01-19.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "[{\"symbol\":\"EURUSD\",\"bid\":\"not a price\"}]", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> InProcessMigration.read(input, t -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("EURUSD");
    }

    @Test
    void runStoresEveryTickOfTheArchiveInDayFilesAndSaysSo() throws Exception {
        Path input = dir.resolve("archive");
        Path output = dir.resolve("data");
        Map<Tick, Integer> expected = new HashMap<>();
        for (int d = 0; d < 3; d++) {
            ArchiveGenerator.write(input, FileSpec.plain("EURUSD", DAY.plusDays(d), 400), t -> StoredRows.add(expected, t));
        }

        InProcessMigration.Outcome outcome = InProcessMigration.run(input, output);

        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.committed()).isEqualTo(1_200);
        assertThat(outcome.elapsedNanos()).isPositive();
        assertThat(StoredRows.multiset(output)).isEqualTo(expected);
    }
}
