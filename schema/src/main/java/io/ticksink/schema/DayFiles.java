package io.ticksink.schema;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daily layout: a tick belongs to the UTC day of its own timestamp, stored in
 * {@code <data-dir>/YYYY/MM/ticks_YYYY-MM-DD.db}. Pure functions, thread safe.
 */
public final class DayFiles {

    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final Pattern NAME = Pattern.compile("ticks_(\\d{4})-(\\d{2})-(\\d{2})(\\..+)?\\.db");

    private DayFiles() {
    }

    /** The UTC day, as days since 1970-01-01, of an epoch-millisecond timestamp. */
    public static long epochDay(long timestampMillis) {
        return Math.floorDiv(timestampMillis, MILLIS_PER_DAY);
    }

    public static LocalDate day(long timestampMillis) {
        return LocalDate.ofEpochDay(epochDay(timestampMillis));
    }

    /** The first millisecond of a UTC day. */
    public static long startMillis(LocalDate day) {
        return day.toEpochDay() * MILLIS_PER_DAY;
    }

    /** {@code <data-dir>/YYYY/MM/ticks_YYYY-MM-DD.db} */
    public static Path path(Path dataDir, LocalDate day) {
        return dataDir.resolve(String.format(Locale.ROOT, "%04d", day.getYear()))
                .resolve(String.format(Locale.ROOT, "%02d", day.getMonthValue()))
                .resolve(fileName(day));
    }

    public static String fileName(LocalDate day) {
        // Locale.ROOT: a default locale with other digits (ar, fa, th...) would name another file
        return String.format(Locale.ROOT, "ticks_%04d-%02d-%02d.db", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    /** The day a file name belongs to, or {@code null} when the name is not a day file's. */
    public static LocalDate dayOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return null;
        }
        try {
            return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /**
     * Every day file under the data dir (three levels deep at most), sorted by name (so by day).
     * Files that share a day's prefix ({@code ticks_YYYY-MM-DD*.db}) are all listed; readers union
     * them. A folder that cannot be read below the data dir (the {@code lost+found} of a disk
     * mounted as the data dir) is passed over, and so is an entry that vanishes during the walk (a
     * live writer's {@code -wal} file); the data dir itself must be readable.
     */
    public static List<Path> list(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dataDir, java.util.Set.of(), 3, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && dayOf(file) != null) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (!file.equals(dataDir) && (e instanceof AccessDeniedException || e instanceof NoSuchFileException)) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        files.sort(null);
        return files;
    }
}
