package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
import io.ticksink.schema.WriteResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM that writes late ticks of one day, one Kafka offset per transaction, through the
 * schema's {@link TickStore}: the consumer's write path. Each tick opens the day afresh, as a
 * consumer does for a late tick of a day it no longer keeps open. A write that fails as
 * retriable is retried, as the consumer does, never dropped.
 *
 * <p>Arguments: data dir, day, first offset, stop file. Prints {@code writing <offset>} before each
 * attempt, {@code stored <offset>} after each commit, and exits 0 once the stop file exists.
 */
public final class LateTickWriter {

    static final String STREAM = StreamChunk.kafkaStream("late", 0);

    private LateTickWriter() {
    }

    /** The tick stored at an offset: its offset is kept in {@code broker_id} for the test to read back. */
    static Tick tickAt(LocalDate day, long offset) {
        return new Tick("LATE", DayFiles.startMillis(day) + offset, offset, offset + 1, 1, "LP1", "o" + offset);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        LocalDate day = LocalDate.parse(args[1]);
        long offset = Long.parseLong(args[2]);
        Path stop = Path.of(args[3]);
        StoreOptions options = StoreOptions.defaults();
        while (!Files.exists(stop)) {
            StreamChunk chunk = new StreamChunk(STREAM, null, 1);
            chunk.add(offset, tickAt(day, offset));
            while (true) {
                System.out.println("writing " + offset);
                System.out.flush();
                try (TickStore store = new TickStore(dataDir, options)) {
                    WriteResult result = store.write(day, List.of(chunk));
                    System.out.println((result.stored() == 1 ? "stored " : "skipped ") + offset);
                    break;
                } catch (StoreException.Retriable e) {
                    System.out.println("retry " + offset + " " + e.getMessage().replace('\n', ' '));
                }
            }
            System.out.flush();
            offset++;
            // pacing of the producer, not synchronisation: leaves the file unopened now and then
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
