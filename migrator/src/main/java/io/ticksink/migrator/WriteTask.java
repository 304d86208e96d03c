package io.ticksink.migrator;

import io.ticksink.schema.StreamChunk;
import java.time.LocalDate;

/**
 * A chunk of one file bound for one day file, in a writer's queue. Immutable once queued.
 *
 * @param job the file the chunk comes from
 * @param day the day file
 * @param chunk the ticks with their positions
 */
record WriteTask(FileJob job, LocalDate day, StreamChunk chunk) {
}
