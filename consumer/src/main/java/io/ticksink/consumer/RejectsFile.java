package io.ticksink.consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The local file of rejected records that the dead-letter topic refused for good (too large for
 * it, not authorized, an invalid topic): {@code <data-dir>/rejects/rejects-YYYY-MM-DD.jsonl}, one
 * file per UTC day of writing, one JSON object per line with the record's key, value and header
 * values in base64, the reason, and its source coordinates (see the README).
 *
 * <p>{@link #append} returns only once the lines are on disk ({@code fsync} of the file, and of
 * the directory when the file is new): only then do the records count as dead-lettered and may
 * their offsets be committed. A crash in between leaves at most one line without its final
 * newline; that record is not committed and is written again after the restart. Appends are
 * whole lines under an exclusive file lock, so consumers sharing a data dir can append to the
 * same file.
 *
 * <p>Not thread safe: owned by the thread that publishes dead letters.
 */
final class RejectsFile {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final Clock clock;

    RejectsFile(Path dir) {
        this(dir, Clock.systemUTC());
    }

    RejectsFile(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** One record refused by the dead-letter topic, and why. */
    record Entry(DecodedBatch.Rejected rejected, String deadLetterTopic, Throwable refusal) {
    }

    /** The file that records written now go to. */
    Path current() {
        return dir.resolve("rejects-" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) + ".jsonl");
    }

    /** Appends the entries as lines and syncs them to disk; on an exception none of them counts as written. */
    Path append(List<Entry> entries) throws IOException {
        Instant now = clock.instant();
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Entry entry : entries) {
            writeLine(entry, now, lines);
        }
        Path file = current();
        boolean newDir = !Files.isDirectory(dir);
        if (newDir) {
            Files.createDirectories(dir);
        }
        boolean newFile = !Files.exists(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            // consumers sharing the data dir append whole lines, one process at a time
            FileLock lock = channel.lock();
            try {
                ByteBuffer buffer = ByteBuffer.wrap(lines.toByteArray());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            } finally {
                lock.release();
            }
        }
        // a new file (or directory) is durable only once the directory entry naming it is
        if (newFile) {
            syncDirectory(dir);
        }
        if (newDir) {
            syncDirectory(dir.toAbsolutePath().getParent());
        }
        return file;
    }

    private static void writeLine(Entry entry, Instant now, ByteArrayOutputStream out) throws IOException {
        ConsumerRecord<byte[], byte[]> record = entry.rejected().record();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("written", now.toString());
            json.writeStringField("reason", entry.rejected().reason());
            json.writeStringField("detail", entry.rejected().detail());
            json.writeStringField("dlq_topic", entry.deadLetterTopic());
            json.writeStringField("dlq_error", describe(entry.refusal()));
            json.writeStringField("topic", record.topic());
            json.writeNumberField("partition", record.partition());
            json.writeNumberField("offset", record.offset());
            json.writeNumberField("timestamp", record.timestamp());
            json.writeStringField("key", base64(record.key()));
            json.writeStringField("value", base64(record.value()));
            json.writeArrayFieldStart("headers");
            for (Header header : record.headers()) {
                json.writeStartObject();
                json.writeStringField("key", header.key());
                json.writeStringField("value", base64(header.value()));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        out.write('\n');
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static String base64(byte[] bytes) {
        return bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
