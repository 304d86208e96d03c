package io.ticksink.consumer;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Tick JSON for tests, and the rows of day files read back as comparable strings. */
final class TestTicks {

    private TestTicks() {
    }

    static String json(String symbol, String timestamp, double bid, double ask) {
        return String.format(Locale.ROOT, "{\"symbol\":\"%s\",\"timestamp\":\"%s\",\"bid\":%s,\"ask\":%s,\"lp\":\"LP\"}",
                symbol, timestamp, bid, ask);
    }

    static Map.Entry<String, String> record(String symbol, String timestamp, double bid, double ask) {
        return Map.entry(symbol, json(symbol, timestamp, bid, ask));
    }

    /** A row as {@code SYMBOL|epoch-ms|bid|ask}, for comparing what was produced with what was stored. */
    static String row(String symbol, String timestamp, double bid, double ask) {
        return symbol + "|" + Instant.parse(timestamp).toEpochMilli() + "|" + bid + "|" + ask;
    }

    static String row(Tick t) {
        return t.symbol() + "|" + t.timestampMillis() + "|" + t.bid() + "|" + t.ask();
    }

    /** Every row of one day, as {@link #row(Tick)} strings; empty when the file does not exist. */
    static List<String> rows(Path dataDir, LocalDate day) throws StoreException {
        Path file = DayFiles.path(dataDir, day);
        List<String> rows = new ArrayList<>();
        if (Files.exists(file)) {
            for (Tick t : DayReader.readAll(file)) {
                rows.add(row(t));
            }
        }
        return rows;
    }

    static long count(Path dataDir, LocalDate day) throws StoreException {
        Path file = DayFiles.path(dataDir, day);
        return Files.exists(file) ? DayReader.count(file) : 0;
    }
}
