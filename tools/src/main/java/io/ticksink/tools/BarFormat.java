package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes bars as text in the {@code --format} of {@link TickFormat}: CSV with a header row, or
 * NDJSON. Timestamps and numbers are printed as {@code query} prints them (RFC 3339 UTC with
 * milliseconds; {@link Double#toString}). The spread figures of a filled bar are empty (CSV) or
 * {@code null} (JSON). Not thread safe: one writer per output stream.
 */
abstract class BarFormat implements BarBuilder.Sink, AutoCloseable {

    static final String CSV_HEADER = "symbol,timestamp,open,high,low,close,ticks,spread_min,spread_mean,spread_max";

    static BarFormat open(TickFormat format, Writer out) throws IOException {
        return format == TickFormat.CSV ? new Csv(out) : new Json(out);
    }

    /** Flushes; leaves the underlying writer open. */
    @Override
    public abstract void close() throws IOException;

    private static final class Csv extends BarFormat {
        private final Writer out;

        Csv(Writer out) throws IOException {
            this.out = out;
            out.write(CSV_HEADER);
            out.write('\n');
        }

        @Override
        public void accept(Bar b) throws IOException {
            CsvFields.field(b.symbol(), out);
            out.write(',');
            out.write(Instants.print(b.startMillis()));
            out.write(',');
            out.write(Double.toString(b.open()));
            out.write(',');
            out.write(Double.toString(b.high()));
            out.write(',');
            out.write(Double.toString(b.low()));
            out.write(',');
            out.write(Double.toString(b.close()));
            out.write(',');
            out.write(Long.toString(b.ticks()));
            out.write(',');
            if (b.ticks() > 0) {
                out.write(Double.toString(b.spreadMin()));
                out.write(',');
                out.write(Double.toString(b.spreadMean()));
                out.write(',');
                out.write(Double.toString(b.spreadMax()));
            } else {
                out.write(",,");
            }
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    private static final class Json extends BarFormat {
        private final JsonGenerator json;

        Json(Writer out) throws IOException {
            json = JsonLines.open(out);
        }

        @Override
        public void accept(Bar b) throws IOException {
            json.writeStartObject();
            json.writeStringField("symbol", b.symbol());
            json.writeStringField("timestamp", Instants.print(b.startMillis()));
            json.writeNumberField("open", b.open());
            json.writeNumberField("high", b.high());
            json.writeNumberField("low", b.low());
            json.writeNumberField("close", b.close());
            json.writeNumberField("ticks", b.ticks());
            if (b.ticks() > 0) {
                json.writeNumberField("spread_min", b.spreadMin());
                json.writeNumberField("spread_mean", b.spreadMean());
                json.writeNumberField("spread_max", b.spreadMax());
            } else {
                json.writeNullField("spread_min");
                json.writeNullField("spread_mean");
                json.writeNullField("spread_max");
            }
            json.writeEndObject();
            json.writeRaw('\n');
        }

        @Override
        public void close() throws IOException {
            json.close();
        }
    }
}
