package io.ticksink.migrator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Report stage: the rejects report, one JSON object per line, so the raw text of a record (which
 * may span lines in a pretty-printed array) stays one line and the report stays machine-readable:
 * <pre>{"file":"EURUSD/2026-01-19.json","position":17,"reason":"BAD_TIMESTAMP","detail":"...","raw":"{...}"}</pre>
 * {@code position} is the record's index in the file (see {@link RecordReader}); file-level
 * problems have {@code reason} {@code BROKEN_FILE}, {@code SOURCE_CHANGED} or {@code WRITE_FAILED}
 * and no {@code raw}. The report is written afresh by every run: files with rejects are never
 * listed as loaded in the ledger, so each run reports every problem the archive still has.
 *
 * <p>Thread safe: lines from parallel parsers are written whole.
 */
final class RejectsReport implements AutoCloseable {

    static final String FILE_NAME = "migration-rejects.jsonl";

    private final Path file;
    private final BufferedWriter out;
    private final JsonGenerator json;
    private long lines;

    RejectsReport(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.json = new JsonFactory().createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        json.setRootValueSeparator(null); // each object ends its own line
    }

    Path file() {
        return file;
    }

    /** A record that could not become a tick. */
    synchronized void record(String file, long position, String reason, String detail, String raw) {
        try {
            json.writeStartObject();
            json.writeStringField("file", file);
            json.writeNumberField("position", position);
            json.writeStringField("reason", reason);
            json.writeStringField("detail", detail);
            if (raw != null) {
                json.writeStringField("raw", raw);
            }
            json.writeEndObject();
            json.flush();
            out.write('\n');
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rejects report " + this.file, e);
        }
    }

    /** A problem with a whole file; {@code position} is where reading stopped, or 0. */
    void file(String file, long position, String reason, String detail) {
        record(file, position, reason, detail, null);
    }

    synchronized long lines() {
        return lines;
    }

    /** Closes the report; an empty one is deleted, so its presence alone says something was rejected. */
    @Override
    public synchronized void close() throws IOException {
        json.close();
        out.close();
        if (lines == 0) {
            Files.deleteIfExists(file);
        }
    }
}
