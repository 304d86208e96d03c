package io.ticksink.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * What one write stored.
 *
 * @param stored ticks inserted
 * @param skipped ticks not inserted because the day file already held their stream positions
 * @param restarted Kafka streams whose position in the day file started afresh, because the chunk
 *     came from another incarnation of the partition (a topic deleted and created again, offsets
 *     reused) than the one the file had stored
 */
public record WriteResult(int stored, int skipped, List<String> restarted) {

    public static final WriteResult NONE = new WriteResult(0, 0);

    public WriteResult {
        restarted = List.copyOf(restarted);
    }

    public WriteResult(int stored, int skipped) {
        this(stored, skipped, List.of());
    }

    public WriteResult plus(WriteResult other) {
        List<String> both = restarted;
        if (!other.restarted.isEmpty()) {
            both = new ArrayList<>(restarted);
            both.addAll(other.restarted);
        }
        return new WriteResult(stored + other.stored, skipped + other.skipped, both);
    }
}
