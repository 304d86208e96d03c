package io.ticksink.migrator;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayStats;
import io.ticksink.schema.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Verify stage: compares the ticks counted per symbol and day in the source files with the rows
 * of the day files. Only symbols the archive holds are compared, so a day file that a live
 * consumer also writes is compared on the archive's symbols alone; a consumer writing one of
 * those symbols on the same day shows as extra rows.
 *
 * <p>Thread safe; reads each day file on a connection of its own.
 */
final class CountVerifier {

    /** A symbol on a day whose counts differ. */
    record Difference(LocalDate day, String symbol, long source, long stored) {
        String describe() {
            return String.format("%s %-12s source %,d, stored %,d (%s%,d)", day, symbol, source, stored,
                    stored > source ? "+" : "", stored - source);
        }
    }

    private final Path dataDir;

    CountVerifier(Path dataDir) {
        this.dataDir = dataDir;
    }

    List<Difference> compare(Map<LocalDate, Map<String, Long>> source) {
        List<Difference> differences = new ArrayList<>();
        for (Map.Entry<LocalDate, Map<String, Long>> day : source.entrySet()) {
            Map<String, Long> stored = storedCounts(day.getKey(), differences, day.getValue());
            if (stored != null) {
                differences.addAll(compare(day.getKey(), day.getValue(), stored));
            }
        }
        return differences;
    }

    /** The differences of one day; pure. */
    static List<Difference> compare(LocalDate day, Map<String, Long> source, Map<String, Long> stored) {
        List<Difference> differences = new ArrayList<>();
        source.forEach((symbol, count) -> {
            long have = stored.getOrDefault(symbol, 0L);
            if (have != count) {
                differences.add(new Difference(day, symbol, count, have));
            }
        });
        return differences;
    }

    private Map<String, Long> storedCounts(LocalDate day, List<Difference> differences, Map<String, Long> source) {
        Path file = DayFiles.path(dataDir, day);
        if (!Files.exists(file)) {
            source.forEach((symbol, count) -> differences.add(new Difference(day, symbol, count, 0)));
            return null;
        }
        try {
            return DayStats.countsBySymbol(file);
        } catch (StoreException e) {
            throw new IllegalStateException("cannot count the rows of " + file + ": " + e.getMessage(), e);
        }
    }
}
