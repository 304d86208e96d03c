package io.ticksink.tools;

import io.ticksink.schema.Tick;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes ticks into one new Parquet file, in the order given. The columns are the day file's
 * {@code ticks} columns with their meaning as logical types:
 *
 * <pre>
 * symbol     BINARY  STRING, required, dictionary-encoded
 * timestamp  INT64   TIMESTAMP(MILLIS, isAdjustedToUTC=true), required (the store keeps milliseconds)
 * bid, ask, spread  DOUBLE, required
 * lp_source, broker_id  BINARY STRING, optional
 * </pre>
 *
 * The row lineage (stream, position) is not exported: an export over several dirs has already
 * dropped the copies it identifies, and a stream number means something only inside its own
 * SQLite file.
 *
 * <p>Pages are ZSTD-compressed; a row group closes at {@value #ROWS_PER_GROUP} rows (or
 * {@value #GROUP_BYTES_MIB} MiB, whichever first), and parquet-java holds one row group's pages in
 * memory before it writes them, so memory stays bounded by a row group, not by the day. Not
 * thread safe; the file is complete only after {@link #close()}.
 */
final class ParquetTickWriter implements Closeable {

    /**
     * Rows per row group: pyarrow's default, and a few symbols' day per group at ~1–2 bytes a
     * tick after compression (so ~10 MiB a group): small enough that DuckDB, Polars and Spark
     * split a day across threads and skip groups by their symbol min/max, large enough that
     * per-group metadata and per-column seeks stay negligible.
     */
    static final int ROWS_PER_GROUP = 1 << 20;
    /** A cap in bytes, for rows with long strings: parquet-java's default block size. */
    static final int GROUP_BYTES_MIB = 128;

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("symbol")
            .required(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named("timestamp")
            .required(PrimitiveTypeName.DOUBLE).named("bid")
            .required(PrimitiveTypeName.DOUBLE).named("ask")
            .required(PrimitiveTypeName.DOUBLE).named("spread")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("lp_source")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("broker_id")
            .named("ticks");

    private final ParquetWriter<Tick> writer;
    private long rows;

    /**
     * Writes into {@code file}, replacing what it holds (the caller's own temporary file).
     *
     * @param metadata key-value pairs for the file footer
     */
    ParquetTickWriter(Path file, Map<String, String> metadata) throws IOException {
        writer = new Builder(new LocalOutputFile(file))
                // a plain configuration and our own codec factory keep Hadoop's classes unloaded
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new ParquetZstd())
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupRowCountLimit(ROWS_PER_GROUP)
                .withRowGroupSize((long) GROUP_BYTES_MIB << 20)
                .withDictionaryEncoding(true)
                .withExtraMetaData(metadata)
                .build();
    }

    void write(Tick tick) throws IOException {
        writer.write(tick);
        rows++;
    }

    long rows() {
        return rows;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static final class Builder extends ParquetWriter.Builder<Tick, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        @SuppressWarnings("deprecation") // abstract in the Builder; never called with the plain configuration set
        protected WriteSupport<Tick> getWriteSupport(Configuration conf) {
            return new TickWriteSupport();
        }

        @Override
        protected WriteSupport<Tick> getWriteSupport(ParquetConfiguration conf) {
            return new TickWriteSupport();
        }
    }

    /** One tick, one record. Rows come sorted by symbol, so the symbol's bytes are encoded once per run. */
    private static final class TickWriteSupport extends WriteSupport<Tick> {
        private RecordConsumer out;
        private final Utf8Cache symbols = new Utf8Cache();
        private final Utf8Cache lpSources = new Utf8Cache();
        private final Utf8Cache brokers = new Utf8Cache();

        @Override
        @SuppressWarnings("deprecation") // abstract in WriteSupport; the writer calls init(ParquetConfiguration)
        public WriteContext init(Configuration conf) {
            return init((ParquetConfiguration) null);
        }

        @Override
        public WriteContext init(ParquetConfiguration conf) {
            return new WriteContext(SCHEMA, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Tick t) {
            out.startMessage();
            binary("symbol", 0, symbols.of(t.symbol()));
            out.startField("timestamp", 1);
            out.addLong(t.timestampMillis());
            out.endField("timestamp", 1);
            number("bid", 2, t.bid());
            number("ask", 3, t.ask());
            number("spread", 4, t.spread());
            if (t.lpSource() != null) {
                binary("lp_source", 5, lpSources.of(t.lpSource()));
            }
            if (t.brokerId() != null) {
                binary("broker_id", 6, brokers.of(t.brokerId()));
            }
            out.endMessage();
        }

        private void binary(String field, int index, Binary value) {
            out.startField(field, index);
            out.addBinary(value);
            out.endField(field, index);
        }

        private void number(String field, int index, double value) {
            out.startField(field, index);
            out.addDouble(value);
            out.endField(field, index);
        }
    }

    /** The UTF-8 of the last string seen: a column whose value repeats row after row is encoded once per run. */
    private static final class Utf8Cache {
        private String last;
        private Binary bytes;

        Binary of(String value) {
            if (!value.equals(last)) {
                last = value;
                bytes = Binary.fromConstantByteArray(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return bytes;
        }
    }
}
