package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DayStatsTest {

    @TempDir
    Path dir;

    /**
     * The files a creator killed in its first transaction leaves behind: the database and its
     * rollback journal as they were mid-transaction, with a spilled page cache so that both hold
     * pages. Copying them while the transaction is open leaves the copy with a hot journal.
     */
    private Path killedWhileCreating() throws Exception {
        Path source = dir.resolve("source.db");
        Path file = dir.resolve("ticks_2026-01-19.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source); Statement st = c.createStatement()) {
            st.execute("PRAGMA cache_size = 2");
            c.setAutoCommit(false);
            for (String ddl : DayDatabase.schemaStatements()) {
                st.execute(ddl);
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO ticks (symbol, timestamp, bid, ask, spread) VALUES (?, ?, 1, 2, 1)")) {
                for (int i = 0; i < 2_000; i++) {
                    insert.setString(1, "SYM" + i % 64);
                    insert.setLong(2, 1_768_780_800_000L + i);
                    insert.executeUpdate();
                }
            }
            Files.copy(source, file);
            Files.copy(Path.of(source + "-journal"), Path.of(file + "-journal"));
            c.rollback();
        }
        return file;
    }

    @Test
    void ticksAreCountedPerSymbol() throws Exception {
        Path file = dir.resolve("ticks_2026-01-19.db");
        try (DayDatabase db = DayDatabase.open(file, StoreOptions.defaults())) {
            StreamChunk chunk = new StreamChunk("kafka:ticks:0", null, 3);
            chunk.add(0, new Tick("EURUSD", 1_768_780_800_000L, 1, 2, 1, null, null));
            chunk.add(1, new Tick("EURUSD", 1_768_780_800_001L, 1, 2, 1, null, null));
            chunk.add(2, new Tick("AUDUSD", 1_768_780_800_002L, 1, 2, 1, null, null));
            db.write(java.util.List.of(chunk));
        }
        assertThat(DayStats.countsBySymbol(file)).containsExactly(Map.entry("AUDUSD", 1L), Map.entry("EURUSD", 2L));
    }

    @Test
    void aFileWhoseCreatorWasKilledInItsFirstTransactionHoldsNoTicks() throws Exception {
        Path file = killedWhileCreating();
        assertThatThrownBy(() -> DayReader.count(file)).as("a read-only reader cannot roll the journal back")
                .hasMessageContaining("SQLITE_READONLY_ROLLBACK");

        assertThat(DayStats.countsBySymbol(file)).isEmpty();
        // the next writer rolls it back and finds an empty day
        try (DayDatabase db = DayDatabase.open(file, StoreOptions.defaults())) {
            assertThat(db.positions()).isEmpty();
        }
        assertThat(DayReader.count(file)).isZero();
    }
}
