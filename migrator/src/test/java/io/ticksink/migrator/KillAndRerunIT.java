package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.migrator.ArchiveGenerator.Layout;
import io.ticksink.migrator.ArchiveGenerator.TimeStyle;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayStats;
import io.ticksink.schema.Tick;
import io.ticksink.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A migrator killed (SIGKILL) at any point and started again stores every tick exactly once. */
class KillAndRerunIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path dir;

    @Test
    void aRunKilledTwiceMidWayAndStartedAgainStoresEveryTickExactlyOnce() throws Exception {
        Path input = dir.resolve("archive");
        Path output = dir.resolve("data");
        Map<Tick, Integer> expected = new HashMap<>();
        String[] symbols = {"EURUSD", "GBPUSD", "USDJPY", "AUDUSD", "USDCHF", "NZDUSD"};
        for (int s = 0; s < symbols.length; s++) {
            for (int d = 0; d < 3; d++) {
                FileSpec spec = FileSpec.plain(symbols[s], DAY.plusDays(d), 40_000)
                        // offsets put part of each file on the neighbouring UTC day: chunks of one
                        // file land in two day files, committed at different times
                        .with(d == 1 ? TimeStyle.RFC3339_OFFSET_PLUS_2 : TimeStyle.RFC3339_OFFSET_MINUS_5);
                if ((s + d) % 3 == 1) {
                    spec = spec.with(Layout.NDJSON).gzipped();
                } else if ((s + d) % 3 == 2) {
                    spec = spec.with(Layout.ARRAY_COMPACT);
                }
                ArchiveGenerator.write(input, spec, t -> StoredRows.add(expected, t));
            }
        }
        long total = expected.values().stream().mapToLong(Integer::longValue).sum();
        Path log = dir.resolve("migrator.log");
        String[] args = {"--input-dir", input.toString(), "--output-dir", output.toString(),
            "--batch-size", "5000", "--max-queued-ticks", "20000", "--progress", "none"};

        // first kill: as soon as anything is committed
        try (ChildJvm first = ChildMigrator.start(log, "256m", args)) {
            ChildMigrator.await(Duration.ofSeconds(60), () -> storedSoFar(output) > 0);
            assertThat(first.isAlive()).as("still running when killed").isTrue();
            first.kill();
            assertThat(first.awaitExit(Duration.ofSeconds(30))).as("killed by SIGKILL").isEqualTo(128 + 9);
        }
        long afterFirst = storedSoFar(output);
        assertThat(afterFirst).isLessThan(total);

        // second kill: further on, with files half done and some listed in the ledger
        try (ChildJvm second = ChildMigrator.start(log, "256m", args)) {
            ChildMigrator.await(Duration.ofSeconds(60), () -> storedSoFar(output) > total / 2);
            assertThat(second.isAlive()).as("still running when killed").isTrue();
            second.kill();
            assertThat(second.awaitExit(Duration.ofSeconds(30))).as("killed by SIGKILL").isEqualTo(128 + 9);
        }
        assertThat(storedSoFar(output)).isLessThan(total);

        int exit = ChildMigrator.run(log, "256m", Duration.ofSeconds(120), args);

        assertThat(exit).as(Files.readString(log)).isZero();
        Map<Tick, Integer> stored = StoredRows.multiset(output);
        assertThat(stored.values().stream().mapToLong(Integer::longValue).sum()).isEqualTo(total);
        assertThat(stored).isEqualTo(expected);
    }

    /** Rows in all day files; a file the kill caught while it was being created holds none. */
    private static long storedSoFar(Path output) throws Exception {
        long n = 0;
        for (Path file : DayFiles.list(output)) {
            n += DayStats.countsBySymbol(file).values().stream().mapToLong(Long::longValue).sum();
        }
        return n;
    }
}
