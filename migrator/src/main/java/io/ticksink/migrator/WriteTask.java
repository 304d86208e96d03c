package io.ticksink.migrator;

import io.ticksink.schema.StreamChunk;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chunk of one file bound for one day file, in a writer's queue. Settled exactly once: written,
 * refused or given up.
 *
 * <p>Thread safe: handed from a parser to a writer; {@link #settle()} may race.
 */
final class WriteTask {

    private final FileJob job;
    private final LocalDate day;
    private final StreamChunk chunk;
    private final AtomicBoolean settled = new AtomicBoolean();

    WriteTask(FileJob job, LocalDate day, StreamChunk chunk) {
        this.job = job;
        this.day = day;
        this.chunk = chunk;
    }

    FileJob job() {
        return job;
    }

    LocalDate day() {
        return day;
    }

    StreamChunk chunk() {
        return chunk;
    }

    /** True to the first caller only: settling a task twice would release its file twice. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }
}
