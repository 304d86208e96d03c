package io.ticksink.schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Ticks of one source stream bound for one day file, each with its position in the stream, in
 * increasing position order. A stream is a Kafka topic-partition ({@code kafka:ticks:3}) or a
 * source file of the migrator ({@code file:EURUSD/2026-01-19.json}); its position is the record
 * offset or the record's index in the file.
 *
 * <p>The day file stores, in the same transaction as the rows, the next position it has stored
 * for the stream; positions below it are skipped when the chunk is written again. Not thread
 * safe: built by one thread, then handed over.
 */
public final class StreamChunk {

    private final String stream;
    private final String fingerprint;
    private final List<Tick> ticks;
    private long[] positions;
    private long nextPosition = -1;

    /**
     * @param stream the stream's name
     * @param fingerprint identifies the stream's content, or {@code null}: for a source file its
     *     size and checksum (a day file that stored the file under another fingerprint refuses the
     *     chunk); for a Kafka partition its incarnation, the topic's id, with a mark when offsets
     *     were reused under it (a day file that stored another incarnation starts the stream afresh)
     */
    public StreamChunk(String stream, String fingerprint, int expectedSize) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.fingerprint = fingerprint;
        this.ticks = new ArrayList<>(expectedSize);
        this.positions = new long[Math.max(expectedSize, 4)];
    }

    private static final String KAFKA = "kafka:";

    public static String kafkaStream(String topic, int partition) {
        return KAFKA + topic + ":" + partition;
    }

    /**
     * Whether the chunk is of a Kafka incarnation that began when offsets went back ({@code <id>#<n>@<offset>}):
     * never the incarnation of positions stored without one.
     */
    static boolean isMarkedIncarnation(StreamChunk chunk) {
        return chunk.isKafka() && chunk.fingerprint() != null && chunk.fingerprint().indexOf('#') >= 0;
    }

    /** Whether the stream is a Kafka topic-partition, whose fingerprint names its incarnation. */
    public boolean isKafka() {
        return stream.startsWith(KAFKA);
    }

    public static String fileStream(String relativePath) {
        return "file:" + relativePath;
    }

    /** Adds a tick at a position above every position added before. */
    public void add(long position, Tick tick) {
        if (position < nextPosition) {
            throw new IllegalArgumentException("positions must increase: " + position + " after " + (nextPosition - 1));
        }
        int i = ticks.size();
        if (i == positions.length) {
            positions = Arrays.copyOf(positions, i * 2);
        }
        positions[i] = position;
        ticks.add(tick);
        nextPosition = position + 1;
    }

    /**
     * Raises the position recorded after this chunk is stored beyond its last tick, for example
     * to the end of a source file whose last records belong to other days.
     */
    public void advanceTo(long next) {
        nextPosition = Math.max(nextPosition, next);
    }

    public String stream() {
        return stream;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public int size() {
        return ticks.size();
    }

    public Tick tick(int index) {
        return ticks.get(index);
    }

    public long position(int index) {
        return positions[index];
    }

    /** The position recorded once this chunk is stored: one past its last tick, or as advanced. */
    public long nextPosition() {
        return nextPosition;
    }
}
