package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import io.ticksink.schema.Tick;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes ticks as text: CSV with a header row, or NDJSON (one object per line). Timestamps are
 * RFC 3339 UTC with milliseconds, absent optional fields empty (CSV) or {@code null} (JSON), so
 * the output feeds back into the migrator's decoder.
 */
public enum TickFormat {
    CSV, JSON;

    static final String CSV_HEADER = "symbol,timestamp,bid,ask,spread,lp_source,broker_id";

    /** Not thread safe: one writer per output stream. */
    public interface TickWriter extends AutoCloseable {
        void write(Tick tick) throws IOException;

        /** Flushes; leaves the underlying writer open. */
        @Override
        void close() throws IOException;
    }

    /** A writer of this format onto {@code out}; CSV writes its header row at once. */
    public TickWriter open(Writer out) throws IOException {
        return this == CSV ? new CsvWriter(out) : new JsonWriter(out);
    }

    private static final class CsvWriter implements TickWriter {
        private final Writer out;

        CsvWriter(Writer out) throws IOException {
            this.out = out;
            out.write(CSV_HEADER);
            out.write('\n');
        }

        @Override
        public void write(Tick t) throws IOException {
            field(t.symbol());
            out.write(',');
            out.write(Instants.print(t.timestampMillis()));
            out.write(',');
            out.write(Double.toString(t.bid()));
            out.write(',');
            out.write(Double.toString(t.ask()));
            out.write(',');
            out.write(Double.toString(t.spread()));
            out.write(',');
            field(t.lpSource());
            out.write(',');
            field(t.brokerId());
            out.write('\n');
        }

        private void field(String value) throws IOException {
            CsvFields.field(value, out);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    private static final class JsonWriter implements TickWriter {
        private final JsonGenerator json;

        JsonWriter(Writer out) throws IOException {
            json = JsonLines.open(out);
        }

        @Override
        public void write(Tick t) throws IOException {
            json.writeStartObject();
            json.writeStringField("symbol", t.symbol());
            json.writeStringField("timestamp", Instants.print(t.timestampMillis()));
            json.writeNumberField("bid", t.bid());
            json.writeNumberField("ask", t.ask());
            json.writeNumberField("spread", t.spread());
            json.writeStringField("lp_source", t.lpSource());
            json.writeStringField("broker_id", t.brokerId());
            json.writeEndObject();
            json.writeRaw('\n');
        }

        @Override
        public void close() throws IOException {
            json.close();
        }
    }
}
