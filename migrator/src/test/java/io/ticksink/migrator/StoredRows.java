package io.ticksink.migrator;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.Tick;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads what the day files hold, as a multiset of ticks, and checks each row is in its own day's file. */
final class StoredRows {

    private StoredRows() {
    }

    static Map<Tick, Integer> multiset(Path dataDir) throws Exception {
        Map<Tick, Integer> rows = new HashMap<>();
        for (Path file : DayFiles.list(dataDir)) {
            for (Tick tick : DayReader.readAll(file)) {
                if (!DayFiles.day(tick.timestampMillis()).equals(DayFiles.dayOf(file))) {
                    throw new AssertionError(tick + " is stored in " + file);
                }
                rows.merge(tick, 1, Integer::sum);
            }
        }
        return rows;
    }

    static long count(Path dataDir) throws Exception {
        long n = 0;
        for (Path file : DayFiles.list(dataDir)) {
            n += DayReader.count(file);
        }
        return n;
    }

    static void add(Map<Tick, Integer> multiset, Tick tick) {
        multiset.merge(tick, 1, Integer::sum);
    }
}
