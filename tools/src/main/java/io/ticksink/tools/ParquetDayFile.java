package io.ticksink.tools;

import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One day's ticks as one Parquet file, {@code ticks_YYYY-MM-DD.parquet}, replaced atomically.
 *
 * <p>The rows are written to a hidden temporary file beside the target
 * ({@code .ticks_YYYY-MM-DD.parquet.<random>.tmp}), forced to disk, and renamed over the target
 * in one atomic step: a reader (or a glob of {@code *.parquet}) sees the previous file or the
 * complete new one, never a partial file, even when the export is killed. A failed write removes
 * its temporary file; one left by a killed export is removed by the next export of that day.
 */
final class ParquetDayFile {

    private ParquetDayFile() {
    }

    static String fileName(LocalDate day) {
        return String.format(Locale.ROOT, "ticks_%04d-%02d-%02d.parquet", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    /**
     * Writes every tick of {@code day} (of only {@code symbols}, in that order, when not empty)
     * to {@code outDir/ticks_YYYY-MM-DD.parquet}, ordered by symbol then timestamp as the day file
     * is, and returns the number of rows. Streams: memory holds one row group, not the day.
     *
     * @param symbols symbols in SQLite's order (UTF-8 bytes), or empty for all of them
     */
    static long write(TickQueries queries, LocalDate day, List<String> symbols, Path outDir)
            throws IOException, StoreException {
        String name = fileName(day);
        removeLeftovers(outDir, name);
        // created with the umask's permissions, as the final file should have (createTempFile would give 0600)
        Path temp = Files.createFile(outDir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp"));
        boolean done = false;
        try {
            long rows = 0;
            try (ParquetTickWriter writer = new ParquetTickWriter(temp, Map.of("ticksink.day", day.toString()))) {
                List<String> each = symbols.isEmpty() ? java.util.Collections.singletonList(null) : symbols;
                for (String symbol : each) {
                    try (TickCursor cursor = queries.day(day, symbol)) {
                        while (cursor.next()) {
                            writer.write(cursor.tick());
                        }
                    }
                }
                rows = writer.rows();
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, outDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(outDir);
            done = true;
            return rows;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Temporary files of an export of this day that was killed before its rename. */
    static List<Path> leftovers(Path outDir, String name) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(outDir, "." + name + ".*.tmp")) {
            stream.forEach(found::add);
        }
        return found;
    }

    private static void removeLeftovers(Path outDir, String name) throws IOException {
        for (Path leftover : leftovers(outDir, name)) {
            Files.deleteIfExists(leftover);
        }
    }

    /** Makes the rename itself durable (a directory opens for reading on Linux). */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems refuse to sync a directory; the rename is still atomic
        }
    }
}
