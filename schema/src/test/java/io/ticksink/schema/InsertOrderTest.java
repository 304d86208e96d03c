package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a chunk's ticks go into a day file: grouped by symbol, through multi-row statements and a single-row tail. */
class InsertOrderTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private static final String STREAM = StreamChunk.kafkaStream("ticks", 0);

    @TempDir
    Path dataDir;

    /** A chunk at positions {@code from..to-1}, symbols drawn at random, several ticks sharing a millisecond. */
    private static StreamChunk chunk(long from, long to, int symbols, long seed) {
        Random random = new Random(seed);
        StreamChunk chunk = new StreamChunk(STREAM, "topic-id", (int) (to - from));
        long millis = DayFiles.startMillis(DAY);
        for (long p = from; p < to; p++) {
            millis += random.nextInt(2); // ties in timestamp, also within one symbol
            String symbol = "SYM" + random.nextInt(symbols);
            chunk.add(p, new Tick(symbol, millis, 1.0 + p, 1.5 + p, 0.5, p % 3 == 0 ? null : "LP" + p, "B"));
        }
        return chunk;
    }

    @Test
    void rowsAreGroupedBySymbolInOrderOfFirstAppearanceEachSymbolInStreamOrder() {
        StreamChunk chunk = new StreamChunk(STREAM, null, 6);
        String[] symbols = {"B", "A", "B", "C", "A", "B"};
        for (int i = 0; i < symbols.length; i++) {
            chunk.add(10 + i, new Tick(symbols[i], 1000L + i, 1, 2, 1, null, null));
        }

        assertThat(DayDatabase.rowsToStore(chunk, 0)).containsExactly(0, 2, 5, 1, 4, 3);
        assertThat(DayDatabase.rowsToStore(chunk, 12)).as("positions below 12 are stored already")
                .containsExactly(2, 5, 3, 4);
        assertThat(DayDatabase.rowsToStore(chunk, 16)).isEmpty();
    }

    @Test
    void aLargeChunkIsStoredExactlyWithItsLineageAndTiesKeepStreamOrder() throws Exception {
        // 50-row statements, the batch boundary of the driver and a tail of single rows all taken
        int size = 20 * DayDatabase.ROWS_PER_STATEMENT + 37;
        StreamChunk first = chunk(0, size, 7, 1);
        StreamChunk again = chunk(0, size + 400, 7, 1); // the first chunk redelivered, then 400 new ticks
        try (TickStore store = new TickStore(dataDir, StoreOptions.defaults())) {
            assertThat(store.write(DAY, List.of(first))).isEqualTo(new WriteResult(size, 0));
            assertThat(store.write(DAY, List.of(again))).isEqualTo(new WriteResult(400, size));
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < again.size(); i++) {
            Tick t = again.tick(i);
            expected.add(row(t.symbol(), t.timestampMillis(), t.bid(), t.lpSource(), again.position(i)));
        }
        List<String> stored = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("2026/01/ticks_2026-01-19.db"));
             Statement st = c.createStatement();
             // the readers' order: ties in (symbol, timestamp) broken by rowid
             ResultSet rs = st.executeQuery("SELECT symbol, timestamp, bid, lp_source, position FROM ticks "
                     + "ORDER BY symbol, timestamp, rowid")) {
            while (rs.next()) {
                stored.add(row(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getString(4), rs.getLong(5)));
            }
        }
        // a stable sort of the stream by (symbol, timestamp): ties stay in stream order
        List<String> bySymbolAndTime = new ArrayList<>(expected);
        bySymbolAndTime.sort(Comparator.comparing((String r) -> r.split("\\|")[0])
                .thenComparing(r -> Long.parseLong(r.split("\\|")[1])));
        assertThat(stored).containsExactlyElementsOf(bySymbolAndTime);
    }

    private static String row(String symbol, long millis, double bid, String lp, long position) {
        return symbol + "|" + millis + "|" + bid + "|" + lp + "|" + position;
    }
}
