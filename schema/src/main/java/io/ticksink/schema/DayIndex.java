package io.ticksink.schema;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Finds the day files of a data dir one month directory at a time, so a query touches only the
 * directories of the days it reads. Listings are cached for the life of the instance: create
 * one per query. Not thread safe.
 */
final class DayIndex {

    private static final Pattern YEAR = Pattern.compile("\\d{4}");
    private static final Pattern MONTH = Pattern.compile("\\d{2}");

    private final Path dataDir;
    private final Map<YearMonth, NavigableMap<LocalDate, List<Path>>> months = new HashMap<>();

    DayIndex(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The files of one day, in name order (the main file before its split parts). */
    List<Path> filesOf(LocalDate day) throws StoreException {
        return month(YearMonth.from(day)).getOrDefault(day, List.of());
    }

    /** The first day in {@code [from, to]} that has files, or {@code null}. */
    LocalDate nextDay(LocalDate from, LocalDate to) throws StoreException {
        YearMonth month = YearMonth.from(from);
        YearMonth last = YearMonth.from(to);
        while (!month.isAfter(last)) {
            if (!Files.isDirectory(yearDir(month.getYear()))) {
                month = YearMonth.of(month.getYear() + 1, 1);
                continue;
            }
            LocalDate found = month(month).ceilingKey(from.isAfter(month.atDay(1)) ? from : month.atDay(1));
            if (found != null) {
                return found.isAfter(to) ? null : found;
            }
            month = month.plusMonths(1);
        }
        return null;
    }

    /** Every day that has files, newest first; each month directory is listed when reached. */
    Iterable<LocalDate> daysDescending() throws StoreException {
        List<LocalDate> days = new ArrayList<>();
        for (String year : subdirsDescending(dataDir, YEAR)) {
            for (String month : subdirsDescending(dataDir.resolve(year), MONTH)) {
                int m = Integer.parseInt(month);
                if (m >= 1 && m <= 12) {
                    days.addAll(month(YearMonth.of(Integer.parseInt(year), m)).descendingKeySet());
                }
            }
        }
        return days;
    }

    private Path yearDir(int year) {
        return dataDir.resolve(String.format("%04d", year));
    }

    private NavigableMap<LocalDate, List<Path>> month(YearMonth month) throws StoreException {
        NavigableMap<LocalDate, List<Path>> days = months.get(month);
        if (days != null) {
            return days;
        }
        days = new TreeMap<>();
        Path dir = yearDir(month.getYear()).resolve(String.format("%02d", month.getMonthValue()));
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "ticks_*.db")) {
                for (Path file : entries) {
                    LocalDate day = DayFiles.dayOf(file);
                    if (day != null && YearMonth.from(day).equals(month) && Files.isRegularFile(file)) {
                        days.computeIfAbsent(day, d -> new ArrayList<>()).add(file);
                    }
                }
            } catch (IOException e) {
                throw new StoreException.Retriable("cannot list " + dir + ": " + e, e);
            }
            days.values().forEach(Collections::sort);
        }
        months.put(month, days);
        return days;
    }

    private static List<String> subdirsDescending(Path dir, Pattern name) throws StoreException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                if (name.matcher(n).matches() && Files.isDirectory(entry)) {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            throw new StoreException.Retriable("cannot list " + dir + ": " + e, e);
        }
        names.sort(Collections.reverseOrder());
        return names;
    }
}
