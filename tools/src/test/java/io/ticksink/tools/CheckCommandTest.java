package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dataDir;

    @Test
    void passesSoundFilesAndCountsTheirTicks() throws Exception {
        DayFixtures.write(dataDir, tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.1),
                tick("EURUSD", "2026-01-20T10:00:00Z", 1.0, 1.1));

        Cli.Run run = Cli.run("check", "--data-dir", dataDir.toString(), "--full");

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).last().isEqualTo("2 files checked, 0 with problems, 2 ticks in sound files");
    }

    @Test
    void failsOnAFileWhosePagesWereOverwritten() throws Exception {
        Path file = manyTicks(LocalDate.parse("2026-01-19"));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            // page 1 holds the header and schema; scribble over pages 3 and 4 (4096-byte pages)
            raf.seek(2 * 4096L);
            byte[] junk = new byte[2 * 4096];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            raf.write(junk);
        }

        Cli.Run run = Cli.run("check", "--data-dir", dataDir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("PROBLEM  " + file).contains("1 files checked, 1 with problems");
    }

    @Test
    void failsOnTicksOutsideTheirDayOrWithNonFiniteValues() throws Exception {
        Path file = DayFiles.path(dataDir, LocalDate.parse("2026-01-19"));
        DayFixtures.write(dataDir, tick("EURUSD", "2026-01-19T10:00:00Z", 1.0, 1.1));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            long nextDay = Instant.parse("2026-01-20T00:00:00Z").toEpochMilli();
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + nextDay + ", 1.0, 1.1, 0.1, NULL, NULL, NULL, NULL)");
            st.execute("INSERT INTO ticks VALUES ('EURUSD', " + (nextDay - 1) + ", 9e999, 1.1, 0.1, NULL, NULL, NULL, NULL)");
        }

        Cli.Run run = Cli.run("check", "--data-dir", dataDir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).contains(
                "PROBLEM  " + file + ": 1 tick with non-numeric or non-finite values",
                "PROBLEM  " + file + ": 1 tick outside the day 2026-01-19");
    }

    @Test
    void failsOnAFileOfAnotherApplication() throws Exception {
        Path file = DayFiles.path(dataDir, LocalDate.parse("2026-01-19"));
        java.nio.file.Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE other (x)");
        }

        Cli.Run run = Cli.run("check", "--data-dir", dataDir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("application_id is 0x00000000").contains("schema version (user_version) is 0");
    }

    @Test
    void failsOnADataDirThatDoesNotExist() {
        Cli.Run run = Cli.run("check", "--data-dir", dataDir.resolve("typo").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is not a directory");
    }

    private Path manyTicks(LocalDate day) throws Exception {
        List<Tick> ticks = new ArrayList<>();
        long start = DayFiles.startMillis(day);
        for (int i = 0; i < 20_000; i++) {
            ticks.add(new Tick("SYM" + (i % 16), start + i * 1000L, 1.0 + i, 1.1 + i, 0.1, "LP1", null));
        }
        DayFixtures.writeFile(DayFiles.path(dataDir, day), ticks.toArray(Tick[]::new));
        return DayFiles.path(dataDir, day);
    }
}
