package io.ticksink.tools;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Writes day files through the schema's own writer, as the consumer does. */
final class DayFixtures {

    static final StoreOptions OPTIONS = StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL);

    private DayFixtures() {
    }

    static Tick tick(String symbol, String time, double bid, double ask) {
        return new Tick(symbol, Instant.parse(time).toEpochMilli(), bid, ask, ask - bid, "LP1", null);
    }

    /** Writes the ticks to the main file of their day, in the order given. */
    static void write(Path dataDir, Tick... ticks) throws StoreException {
        for (Tick t : ticks) {
            writeFile(DayFiles.path(dataDir, DayFiles.day(t.timestampMillis())), t);
        }
    }

    /** Writes the ticks to one file, named freely (a split part of a day, say). */
    static void writeFile(Path file, Tick... ticks) throws StoreException {
        try (DayDatabase db = DayDatabase.open(file, OPTIONS)) {
            StreamChunk chunk = new StreamChunk("test:" + System.nanoTime(), null, ticks.length);
            for (int i = 0; i < ticks.length; i++) {
                chunk.add(i, ticks[i]);
            }
            db.write(List.of(chunk));
        }
    }
}
