package io.ticksink.migrator;

import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accepted ticks per symbol and UTC day, counted from the source files for {@code --verify}.
 * Thread safe.
 */
final class SourceCounts {

    /** A symbol on a day. */
    record Key(LocalDate day, String symbol) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = day.compareTo(o.day);
            return c != 0 ? c : symbol.compareTo(o.symbol);
        }
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void add(Map<Key, long[]> fileCounts) {
        fileCounts.forEach((key, n) -> counts.computeIfAbsent(key, k -> new LongAdder()).add(n[0]));
    }

    /** Per day, per symbol, sorted. */
    Map<LocalDate, Map<String, Long>> byDay() {
        Map<LocalDate, Map<String, Long>> out = new TreeMap<>();
        counts.forEach((key, n) -> out.computeIfAbsent(key.day(), d -> new TreeMap<>()).put(key.symbol(), n.sum()));
        return out;
    }
}
