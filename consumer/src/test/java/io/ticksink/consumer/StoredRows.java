package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.Tick;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Every row of every day file under data dirs, compared with what was produced as multisets. */
final class StoredRows {

    private StoredRows() {
    }

    /** The union of every day file (whatever its suffix) under the data dirs, as {@link TestTicks#row(Tick)}. */
    static List<String> of(Path... dataDirs) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Path dir : dataDirs) {
            for (Path file : DayFiles.list(dir)) {
                for (Tick t : DayReader.readAll(file)) {
                    rows.add(TestTicks.row(t));
                }
            }
        }
        return rows;
    }

    /**
     * Asserts the stored rows equal the produced ones as multisets: nothing lost, nothing twice,
     * in any order. Fails with the missing and the extra rows (a few of each) and their counts.
     */
    static void assertExactlyOnce(Collection<String> stored, Collection<String> produced) {
        Map<String, Long> diff = new TreeMap<>();
        produced.forEach(r -> diff.merge(r, 1L, Long::sum));
        stored.forEach(r -> diff.merge(r, -1L, Long::sum));
        diff.values().removeIf(v -> v == 0);
        List<String> missing = diff.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();
        List<String> extra = diff.entrySet().stream().filter(e -> e.getValue() < 0)
                .map(e -> e.getKey() + " x" + (1 - e.getValue())).toList();
        assertThat(diff).as("stored %,d rows, produced %,d; %,d missing, e.g. %s; %,d stored too often, e.g. %s",
                stored.size(), produced.size(), missing.size(), first(missing), extra.size(), first(extra)).isEmpty();
        assertThat(stored).hasSameSizeAs(produced);
    }

    /** Rows per symbol (the text before the first '|'). */
    static Map<String, Long> countsBySymbol(Collection<String> rows) {
        return rows.stream().collect(Collectors.groupingBy(r -> r.substring(0, r.indexOf('|')), TreeMap::new,
                Collectors.counting()));
    }

    private static List<String> first(List<String> rows) {
        return rows.subList(0, Math.min(5, rows.size()));
    }

}
