package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.NativeLibraryDir;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.Tick;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrator beside another writer (a live consumer) that holds a day file's write lock. */
class LiveWriterTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path dir;

    @Test
    void aDayLockedByAnotherWriterIsRetriedUntilFreeAndOtherDaysGoOn() throws Exception {
        Path input = dir.resolve("archive");
        Path output = dir.resolve("data");
        Map<Tick, Integer> expected = new HashMap<>();
        ArchiveGenerator.write(input, FileSpec.plain("AAA", DAY, 300), t -> StoredRows.add(expected, t));
        ArchiveGenerator.write(input, FileSpec.plain("BBB", DAY.plusDays(1), 300), t -> StoredRows.add(expected, t));
        Path locked = DayFiles.path(output, DAY);
        DayDatabase.open(locked, StoreOptions.defaults()).close();
        NativeLibraryDir.prepare();

        CompletableFuture<Integer> run;
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + locked);
             Statement st = other.createStatement()) {
            st.execute("BEGIN IMMEDIATE"); // what a consumer's write transaction holds
            StringWriter out = new StringWriter();
            run = CompletableFuture.supplyAsync(() -> Main.run(new String[] {
                "--input-dir", input.toString(), "--output-dir", output.toString(), "--progress", "none",
                "--threads", "1", "--writers", "2", "--busy-timeout", "PT0.05S", "--retry-for", "PT60S"},
                    new PrintWriter(out), new PrintWriter(new StringWriter())));

            // the other day's writer is not held up by the lock
            Path free = DayFiles.path(output, DAY.plusDays(1));
            ChildMigrator.await(Duration.ofSeconds(30), () -> Files.exists(free) && DayReader.count(free) == 300);
            assertThat(run).isNotDone();
            st.execute("COMMIT");
        }

        assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(StoredRows.multiset(output)).isEqualTo(expected);
    }
}
