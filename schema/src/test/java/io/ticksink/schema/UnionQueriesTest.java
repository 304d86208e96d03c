package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnionQueriesTest {

    private static final LocalDate DAY = LocalDate.parse("2026-01-19");
    private static final long START = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    private static final int RECORDS = 20_000;
    private static final int PER_MILLISECOND = 4;

    @TempDir
    Path node1;

    @TempDir
    Path node2;

    @Test
    void aDayOverTwoDirsHoldsOnlyTheLineageOfOneTimestampWhileDroppingEveryCopy() throws Exception {
        // both nodes hold the middle half of two partitions; four records share each millisecond
        write(node1, 0, RECORDS * 3 / 4);
        write(node2, RECORDS / 4, RECORDS);

        try (TickQueries queries = new TickQueries(List.of(node1, node2));
             TickCursor cursor = queries.day(DAY, null)) {
            long rows = 0;
            while (cursor.next()) {
                rows++;
            }
            MergedCursor merged = (MergedCursor) cursor;

            assertThat(rows).isEqualTo(2L * RECORDS);
            assertThat(merged.copiesDropped()).isEqualTo(2L * RECORDS / 2);
            assertThat(merged.mostLineageHeld()).isPositive().isLessThanOrEqualTo(PER_MILLISECOND);
        }
    }

    /** Records {@code [from, to)} of partitions 0 and 1, symbol by partition, in one day file. */
    private static void write(Path dataDir, int from, int to) throws StoreException {
        try (DayDatabase db = DayDatabase.open(DayFiles.path(dataDir, DAY), StoreOptions.defaults()
                .withSynchronous(StoreOptions.Synchronous.OFF))) {
            for (int partition = 0; partition < 2; partition++) {
                StreamChunk chunk = new StreamChunk(StreamChunk.kafkaStream("ticks", partition), null, to - from);
                for (int i = from; i < to; i++) {
                    long at = START + (long) i / (PER_MILLISECOND / 2);
                    chunk.add(i, new Tick(partition == 0 ? "EURUSD" : "GBPUSD", at, 1.1, 1.2, 0.1, "LP", null));
                }
                db.write(List.of(chunk));
            }
        }
    }
}
