package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DayFilesTest {

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void theLastMillisecondBeforeUtcMidnightBelongsToThePreviousDay() {
        assertThat(DayFiles.day(millis("2026-01-19T23:59:59.999Z"))).isEqualTo(LocalDate.of(2026, 1, 19));
        assertThat(DayFiles.day(millis("2026-01-20T00:00:00.000Z"))).isEqualTo(LocalDate.of(2026, 1, 20));
        assertThat(DayFiles.epochDay(millis("2026-01-20T00:00:00Z")) - DayFiles.epochDay(millis("2026-01-19T23:59:59.999Z")))
                .isEqualTo(1);
    }

    @Test
    void aLeapDayIsItsOwnDay() {
        assertThat(DayFiles.day(millis("2024-02-29T12:00:00Z"))).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(DayFiles.day(millis("2024-02-28T23:59:59.999Z"))).isEqualTo(LocalDate.of(2024, 2, 28));
        assertThat(DayFiles.day(millis("2024-03-01T00:00:00Z"))).isEqualTo(LocalDate.of(2024, 3, 1));
    }

    @Test
    void startMillisIsTheFirstMillisecondOfTheDay() {
        LocalDate day = LocalDate.of(2026, 1, 19);
        assertThat(DayFiles.startMillis(day)).isEqualTo(millis("2026-01-19T00:00:00Z"));
        assertThat(DayFiles.day(DayFiles.startMillis(day))).isEqualTo(day);
        assertThat(DayFiles.day(DayFiles.startMillis(day) - 1)).isEqualTo(day.minusDays(1));
    }

    @Test
    void aDayIsStoredUnderYearAndMonthDirectories(@TempDir Path dir) {
        assertThat(DayFiles.path(dir, LocalDate.of(2026, 1, 9)))
                .isEqualTo(dir.resolve("2026").resolve("01").resolve("ticks_2026-01-09.db"));
        assertThat(DayFiles.fileName(LocalDate.of(1999, 12, 31))).isEqualTo("ticks_1999-12-31.db");
    }

    @Test
    void fileNamesUseAsciiDigitsWhateverTheDefaultLocale(@TempDir Path dir) {
        Locale saved = Locale.getDefault();
        try {
            for (String tag : new String[] {"ar-EG", "fa-IR", "th-TH-u-nu-thai", "hi-IN-u-nu-deva"}) {
                Locale.setDefault(Locale.forLanguageTag(tag));
                assertThat(DayFiles.path(dir, LocalDate.of(2026, 1, 19)))
                        .as(tag)
                        .isEqualTo(dir.resolve("2026/01/ticks_2026-01-19.db"));
            }
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void dayOfReadsBackTheDayOfEveryFileName() {
        for (LocalDate day = LocalDate.of(2023, 12, 25); day.isBefore(LocalDate.of(2024, 3, 5)); day = day.plusDays(1)) {
            assertThat(DayFiles.dayOf(DayFiles.path(Path.of("data"), day))).isEqualTo(day);
        }
    }

    @Test
    void dayOfAcceptsASuffixBetweenTheDayAndDotDb() {
        assertThat(DayFiles.dayOf(Path.of("ticks_2026-01-19.p3.db"))).isEqualTo(LocalDate.of(2026, 1, 19));
        assertThat(DayFiles.dayOf(Path.of("/x/2026/01/ticks_2026-01-19.part-7.db"))).isEqualTo(LocalDate.of(2026, 1, 19));
    }

    @Test
    void dayOfRejectsNamesThatAreNotDayFiles() {
        for (String name : new String[] {"ticks_2026-01-19.db-wal", "ticks_2026-01-19.db-shm", "ticks_2026-02-30.db",
            "ticks_2026-1-19.db", "ticks_2026-01-19", "ticks-2026-01-19.db", "xticks_2026-01-19.db",
            "ticks_2026-01-19..db", "ticks_2026-01-19x.db", "ticks_2026-13-01.db", "notes.txt"}) {
            assertThat(DayFiles.dayOf(Path.of(name))).as(name).isNull();
        }
    }

    @Test
    void listFindsEveryDayFileSortedByDay(@TempDir Path dir) throws Exception {
        Path b = touch(DayFiles.path(dir, LocalDate.of(2026, 1, 19)));
        Path a = touch(DayFiles.path(dir, LocalDate.of(2025, 12, 31)));
        Path c = touch(dir.resolve("2026/01/ticks_2026-01-19.p3.db"));
        Path d = touch(DayFiles.path(dir, LocalDate.of(2026, 2, 1)));
        touch(dir.resolve("2026/01/ticks_2026-01-19.db-wal"));
        touch(dir.resolve("2026/01/readme.txt"));
        Files.createDirectories(dir.resolve("2026/01/ticks_2026-01-20.db")); // a directory, not a file

        assertThat(DayFiles.list(dir)).containsExactly(a, b, c, d);
    }

    @Test
    void listOfAMissingDirectoryIsEmpty(@TempDir Path dir) throws Exception {
        assertThat(DayFiles.list(dir.resolve("nothing-here"))).isEmpty();
    }

    private static Path touch(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }
}
