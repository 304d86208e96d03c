package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two stores (two processes, in production) sharing day files. */
class TickStoreConcurrencyTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);

    @TempDir
    Path dir;

    @BeforeAll
    static void nativeLibraryDir() throws Exception {
        String tmp = System.getProperty("org.sqlite.tmpdir");
        if (tmp != null) {
            Files.createDirectories(Path.of(tmp));
        }
    }

    private static StreamChunk chunk(String stream, String fingerprint, long position) {
        StreamChunk chunk = new StreamChunk(stream, fingerprint, 1);
        chunk.add(position, new Tick("EURUSD", DayFiles.startMillis(DAY) + position, 1, 2, 1, null, null));
        return chunk;
    }

    @Test
    void anOpenButIdleDayFileHoldsNoWriteLock() throws Exception {
        StoreOptions options = StoreOptions.defaults().withBusyTimeout(Duration.ofMillis(200));
        try (TickStore first = new TickStore(dir, options); TickStore second = new TickStore(dir, options)) {
            first.write(DAY, List.of(chunk("kafka:ticks:0", null, 0)));

            // the first store keeps the file open; the second must still get to write
            second.write(DAY, List.of(chunk("kafka:ticks:1", null, 0)));
            first.write(DAY, List.of(chunk("kafka:ticks:0", null, 1)));

            assertThat(first.openFiles()).isEqualTo(1);
            assertThat(DayReader.count(first.fileOf(DAY))).isEqualTo(3);
        }
    }

    @Test
    void aRefusedSourceLeavesTheDayFileOpenAndUsable() throws Exception {
        try (TickStore store = new TickStore(dir, StoreOptions.defaults())) {
            store.write(DAY, List.of(chunk("file:A/2026-01-19.json", "10:aaaa", 0)));

            assertThatThrownBy(() -> store.write(DAY, List.of(chunk("file:A/2026-01-19.json", "11:bbbb", 1))))
                    .isInstanceOf(StoreException.SourceChanged.class);

            assertThat(store.openFiles()).isEqualTo(1);
            store.write(DAY, List.of(chunk("file:B/2026-01-19.json", "10:cccc", 0)));
            assertThat(DayReader.count(store.fileOf(DAY))).isEqualTo(2);
        }
    }
}
