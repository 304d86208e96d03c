package io.ticksink.schema;

/**
 * What one write stored.
 *
 * @param stored ticks inserted
 * @param skipped ticks not inserted because the day file already held their stream positions
 */
public record WriteResult(int stored, int skipped) {

    public static final WriteResult NONE = new WriteResult(0, 0);

    public WriteResult plus(WriteResult other) {
        return new WriteResult(stored + other.stored, skipped + other.skipped);
    }
}
