package io.ticksink.migrator;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Writes legacy archive files in every accepted variant, and tells which ticks they must load as. */
final class ArchiveGenerator {

    enum Layout { ARRAY_PRETTY, ARRAY_COMPACT, NDJSON }

    enum TimeStyle {
        RFC3339_NANOS_Z, RFC3339_OFFSET_PLUS_2, RFC3339_OFFSET_MINUS_5,
        EPOCH_SECONDS, EPOCH_SECONDS_FRACTION, EPOCH_MILLIS, EPOCH_MICROS, EPOCH_NANOS
    }

    /**
     * One file: {@code ticks} ticks of {@code symbol} spread over the local day {@code day}.
     * Offsets put ticks on the UTC day before or after; {@code omitSymbol} leaves the symbol out of
     * every record, {@code ndjsonExtension} picks .jsonl or .ndjson.
     */
    record FileSpec(String symbol, LocalDate day, int ticks, Layout layout, boolean gzip, boolean bom,
                    TimeStyle time, boolean omitSymbol, String ndjsonExtension) {

        static FileSpec plain(String symbol, LocalDate day, int ticks) {
            return new FileSpec(symbol, day, ticks, Layout.ARRAY_PRETTY, false, false, TimeStyle.RFC3339_NANOS_Z,
                    false, ".jsonl");
        }

        FileSpec with(Layout l) {
            return new FileSpec(symbol, day, ticks, l, gzip, bom, time, omitSymbol, ndjsonExtension);
        }

        FileSpec gzipped() {
            return new FileSpec(symbol, day, ticks, layout, true, bom, time, omitSymbol, ndjsonExtension);
        }

        FileSpec withBom() {
            return new FileSpec(symbol, day, ticks, layout, gzip, true, time, omitSymbol, ndjsonExtension);
        }

        FileSpec with(TimeStyle t) {
            return new FileSpec(symbol, day, ticks, layout, gzip, bom, t, omitSymbol, ndjsonExtension);
        }

        FileSpec withoutSymbol() {
            return new FileSpec(symbol, day, ticks, layout, gzip, bom, time, true, ndjsonExtension);
        }

        FileSpec ndjsonExtension(String ext) {
            return new FileSpec(symbol, day, ticks, layout, gzip, bom, time, omitSymbol, ext);
        }

        String fileName() {
            return day + (layout == Layout.NDJSON ? ndjsonExtension : ".json") + (gzip ? ".gz" : "");
        }
    }

    private ArchiveGenerator() {
    }

    /** The i-th tick of a file, as it must be stored. */
    static Tick tick(FileSpec spec, int i) {
        long localStart = DayFiles.startMillis(spec.day());
        long offsetMillis = switch (spec.time()) {
            case RFC3339_OFFSET_PLUS_2 -> 2 * 3_600_000L;
            case RFC3339_OFFSET_MINUS_5 -> -5 * 3_600_000L;
            default -> 0;
        };
        long millis = localStart - offsetMillis + (long) i * (86_400_000L / Math.max(1, spec.ticks())) + (i % 7);
        if (spec.time() == TimeStyle.EPOCH_SECONDS) {
            millis = Math.floorDiv(millis, 1000L) * 1000L; // whole seconds only
        }
        // prices with five decimals, as quotes have: short decimal text, like the real archive
        long bidPoints = 100_000L + (i % 9973) * 7L + spec.symbol().length() * 1000L;
        long askPoints = bidPoints + 1 + i % 5;
        double bid = bidPoints / 100_000.0;
        double ask = askPoints / 100_000.0;
        // every second record gives its spread; the others take ask - bid
        double spread = i % 2 == 0 ? (askPoints - bidPoints) / 100_000.0 : ask - bid;
        String broker = i % 11 == 0 ? null : "BROKER-" + (i % 3);
        return new Tick(spec.symbol(), millis, bid, ask, spread, "OANDA-HISTORICAL", broker);
    }

    /** Writes the file below {@code inputDir/<symbol>/} and hands each expected tick to {@code expected}. */
    static Path write(Path inputDir, FileSpec spec, Consumer<Tick> expected) throws IOException {
        Path dir = inputDir.resolve(spec.symbol());
        Files.createDirectories(dir);
        Path file = dir.resolve(spec.fileName());
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             OutputStream out = spec.gzip() ? new FastGzip(raw) : raw;
             Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            if (spec.bom()) {
                w.write('\uFEFF');
            }
            boolean array = spec.layout() != Layout.NDJSON;
            boolean pretty = spec.layout() == Layout.ARRAY_PRETTY;
            if (array) {
                w.write(pretty ? "[\n" : "[");
            }
            StringBuilder sb = new StringBuilder(256);
            for (int i = 0; i < spec.ticks(); i++) {
                Tick t = tick(spec, i);
                sb.setLength(0);
                if (array && i > 0) {
                    sb.append(pretty ? ",\n" : ",");
                }
                json(sb, spec, t, i, pretty);
                if (!array) {
                    sb.append('\n');
                }
                w.append(sb);
                if (expected != null) {
                    expected.accept(t);
                }
            }
            if (array) {
                w.write(pretty ? "\n]\n" : "]");
            }
        }
        return file;
    }

    static void json(StringBuilder sb, FileSpec spec, Tick t, int i, boolean pretty) {
        String nl = pretty ? "\n    " : "";
        sb.append('{').append(nl);
        if (t.brokerId() != null) {
            sb.append("\"broker_id\":\"").append(t.brokerId()).append("\",").append(nl);
        }
        if (!spec.omitSymbol()) {
            sb.append("\"symbol\":\"").append(t.symbol()).append("\",").append(nl);
        }
        sb.append("\"bid\":").append(t.bid()).append(',').append(nl);
        sb.append("\"ask\":").append(t.ask()).append(',').append(nl);
        if (i % 2 == 0) {
            sb.append("\"spread\":").append(t.spread()).append(',').append(nl);
        }
        sb.append("\"timestamp\":");
        timestamp(sb, spec.time(), t.timestampMillis(), i);
        sb.append(',').append(nl);
        sb.append(i % 2 == 0 ? "\"lp\":\"" : "\"lp_source\":\"").append(t.lpSource()).append('"');
        sb.append(pretty ? "\n  }" : "}");
    }

    private static void timestamp(StringBuilder sb, TimeStyle style, long millis, int i) {
        int subMillisNanos = (i * 7919) % 1_000_000;
        switch (style) {
            case RFC3339_NANOS_Z -> sb.append('"').append(rfc3339(millis, subMillisNanos, ZoneOffset.UTC)).append('"');
            case RFC3339_OFFSET_PLUS_2 -> sb.append('"')
                    .append(rfc3339(millis, subMillisNanos, ZoneOffset.ofHours(2))).append('"');
            case RFC3339_OFFSET_MINUS_5 -> sb.append('"')
                    .append(rfc3339(millis, subMillisNanos, ZoneOffset.ofHours(-5))).append('"');
            case EPOCH_SECONDS -> sb.append(millis / 1000);
            case EPOCH_SECONDS_FRACTION -> sb.append(millis / 1000).append('.')
                    .append(String.format("%03d", millis % 1000)).append(String.format("%03d", i % 1000));
            case EPOCH_MILLIS -> sb.append(millis);
            case EPOCH_MICROS -> sb.append(millis * 1000 + i % 1000);
            case EPOCH_NANOS -> sb.append(millis * 1_000_000 + subMillisNanos);
        }
    }

    private static String rfc3339(long millis, int subMillisNanos, ZoneOffset offset) {
        Instant instant = Instant.ofEpochMilli(millis).plusNanos(subMillisNanos);
        OffsetDateTime t = instant.atOffset(offset);
        String date = String.format("%04d-%02d-%02dT%02d:%02d:%02d.%09d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
        return date + (offset.getTotalSeconds() == 0 ? "Z" : offset.getId());
    }

    /** gzip at the fastest level: the tests need the format, not the ratio. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
