package io.ticksink.bench;

import io.ticksink.consumer.load.SyntheticTicks;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Writes a legacy archive, {@code <dir>/<SYMBOL>/<YYYY-MM-DD>.json}, each file a pretty JSON array
 * (one element a line) of synthetic ticks, days from 2026-01-05.
 */
public final class Archive {

    private Archive() {
    }

    /**
     * {@code ticksPerFile} ticks for each of {@code symbols} symbols and {@code days} days, one
     * compact object a line; returns their number.
     */
    public static long write(Path dir, int symbols, int days, int ticksPerFile) throws IOException {
        return write(dir, symbols, days, ticksPerFile, false);
    }

    /**
     * As {@link #write(Path, int, int, int)}; with {@code fieldPerLine} every field of an object on
     * a line of its own, indented, as the legacy store writes its files (~185 bytes a tick).
     */
    public static long write(Path dir, int symbols, int days, int ticksPerFile, boolean fieldPerLine)
            throws IOException {
        return write(dir, symbols, days, ticksPerFile, fieldPerLine, false);
    }

    /**
     * As {@link #write(Path, int, int, int, boolean)}; with {@code lines} the files are NDJSON,
     * {@code <YYYY-MM-DD>.jsonl}, one compact object a line and no array around them.
     */
    public static long write(Path dir, int symbols, int days, int ticksPerFile, boolean fieldPerLine, boolean lines)
            throws IOException {
        if (lines && fieldPerLine) {
            throw new IllegalArgumentException("an NDJSON file holds one object a line");
        }
        long total = 0;
        for (int s = 0; s < symbols; s++) {
            for (int d = 0; d < days; d++) {
                LocalDate day = LocalDate.of(2026, 1, 5).plusDays(d);
                Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
                SyntheticTicks ticks = new SyntheticTicks(s * 1000L + d, 1, start,
                        Duration.ofHours(24).toNanos() / ticksPerFile);
                String symbol = s < SyntheticTicks.SYMBOLS.length ? SyntheticTicks.SYMBOLS[s] : "SYM" + s;
                Path file = dir.resolve(symbol).resolve(day + (lines ? ".jsonl" : ".json"));
                Files.createDirectories(file.getParent());
                try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    out.write(lines ? "" : "[\n");
                    for (int i = 0; i < ticksPerFile; i++) {
                        // a one-symbol generator always says EURUSD: name the file's own symbol
                        String json = ticks.next().replace("\"symbol\":\"EURUSD\"", "\"symbol\":\"" + symbol + "\"");
                        if (fieldPerLine) {
                            // a synthetic tick holds no comma or brace inside a value
                            json = "  {\n    " + json.substring(1, json.length() - 1).replace(",", ",\n    ") + "\n  }";
                        }
                        out.write(json);
                        out.write(i + 1 < ticksPerFile && !lines ? ",\n" : "\n");
                    }
                    out.write(lines ? "" : "]\n");
                }
                total += ticksPerFile;
            }
        }
        return total;
    }
}
