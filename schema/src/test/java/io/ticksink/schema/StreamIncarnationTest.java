package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka stream's fingerprint is its incarnation, beyond the cases in {@link TickStoreTest}: reused
 * offsets, files of earlier versions, chunks of unknown incarnation, and source files unchanged.
 */
class StreamIncarnationTest {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 14);
    private static final String OLD_TOPIC = "AAAAAAAAAAAAAAAAAAAAAA";
    private static final String NEW_TOPIC = "BBBBBBBBBBBBBBBBBBBBBB";
    private static final String STREAM = StreamChunk.kafkaStream("ticks", 0);

    @TempDir
    Path dataDir;

    private TickStore store;

    @BeforeEach
    void openStore() {
        store = new TickStore(dataDir, StoreOptions.defaults().withSynchronous(StoreOptions.Synchronous.NORMAL));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Ticks at offsets {@code from..to} of partition 0 of "ticks", told apart by {@code price}. */
    private static StreamChunk chunk(String incarnation, int from, int to, double price) {
        StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream("ticks", 0), incarnation, to - from + 1);
        for (int i = from; i <= to; i++) {
            chunk.add(i, new Tick("EURUSD", DayFiles.startMillis(DAY) + i, price, price + 1, 1, null, null));
        }
        return chunk;
    }

    private long rows(String where) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.fileOf(DAY));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM ticks WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String storedFingerprint() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.fileOf(DAY));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint FROM stream_positions WHERE stream = 'kafka:ticks:0'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void theSameIncarnationStillSkipsARedelivery() throws Exception {
        store.write(DAY, List.of(chunk(OLD_TOPIC, 0, 99, 1.0)));

        assertThat(store.write(DAY, List.of(chunk(OLD_TOPIC, 50, 119, 1.0)))).isEqualTo(new WriteResult(20, 50));
        assertThat(rows("bid = 1.0")).isEqualTo(120);
    }

    @Test
    void offsetsReusedUnderTheSameTopicIdAreANewIncarnationToo() throws Exception {
        store.write(DAY, List.of(chunk(OLD_TOPIC, 0, 99, 1.0)));

        WriteResult reused = store.write(DAY, List.of(chunk(OLD_TOPIC + "#100>60", 60, 119, 3.0)));

        assertThat(reused).isEqualTo(new WriteResult(60, 0, List.of(STREAM)));
        assertThat(rows("bid = 3.0")).isEqualTo(60);
        assertThat(store.positions(DAY)).containsEntry("kafka:ticks:0", 120L);
    }

    @Test
    void aPositionStoredWithoutFingerprintAdoptsTheChunksAndSkipsBelowIt() throws Exception {
        // a file written before Kafka streams had a fingerprint
        store.write(DAY, List.of(chunk(null, 0, 99, 1.0)));

        WriteResult upgraded = store.write(DAY, List.of(chunk(OLD_TOPIC, 0, 99, 1.0)));

        assertThat(upgraded).isEqualTo(new WriteResult(0, 100));
        assertThat(rows("1 = 1")).isEqualTo(100);
        assertThat(storedFingerprint()).isEqualTo(OLD_TOPIC);
        // adopted: the next incarnation is now told apart
        assertThat(store.write(DAY, List.of(chunk(NEW_TOPIC, 0, 9, 2.0)))).isEqualTo(new WriteResult(10, 0, List.of(STREAM)));
    }

    @Test
    void aChunkOfUnknownIncarnationNeitherRestartsNorErasesTheStoredOne() throws Exception {
        store.write(DAY, List.of(chunk(OLD_TOPIC, 0, 99, 1.0)));

        assertThat(store.write(DAY, List.of(chunk(null, 90, 109, 1.0)))).isEqualTo(new WriteResult(10, 10));
        assertThat(storedFingerprint()).isEqualTo(OLD_TOPIC);
    }

    @Test
    void aSourceFileWithAnotherFingerprintIsStillRefused() throws Exception {
        String file = StreamChunk.fileStream("EURUSD/2026-03-14.json");
        StreamChunk first = new StreamChunk(file, "size=10,crc=1", 1);
        first.add(0, new Tick("EURUSD", DayFiles.startMillis(DAY), 1, 2, 1, null, null));
        store.write(DAY, List.of(first));
        StreamChunk changed = new StreamChunk(file, "size=11,crc=2", 1);
        changed.add(0, new Tick("EURUSD", DayFiles.startMillis(DAY), 1, 2, 1, null, null));

        assertThatThrownBy(() -> store.write(DAY, List.of(changed))).isInstanceOf(StoreException.SourceChanged.class);
    }
}
