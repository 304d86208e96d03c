package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DayRouterTest {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private final List<DayRouter.DayChunk> ready = new ArrayList<>();

    private static Tick at(LocalDate day, long millisIntoDay) {
        return new Tick("EURUSD", DayFiles.startMillis(day) + millisIntoDay, 1, 2, 1, null, null);
    }

    @Test
    void ticksGoToTheChunkOfTheirOwnUtcDay() throws Exception {
        DayRouter router = new DayRouter("file:a", "fp", 10, ready::add);
        router.add(0, at(DAY.minusDays(1), 86_399_999));
        router.add(1, at(DAY, 0));
        router.add(2, at(DAY.minusDays(1), 5));
        router.finish(3);

        assertThat(ready).extracting(DayRouter.DayChunk::day).containsExactly(DAY.minusDays(1), DAY);
        assertThat(ready.get(0).chunk().size()).isEqualTo(2);
        assertThat(ready.get(0).chunk().position(1)).isEqualTo(2);
        assertThat(ready.get(0).chunk().fingerprint()).isEqualTo("fp");
        // both days record that the whole file was read
        assertThat(ready).allSatisfy(c -> assertThat(c.chunk().nextPosition()).isEqualTo(3));
    }

    @Test
    void aFullChunkIsHandedOverAtOnce() throws Exception {
        DayRouter router = new DayRouter("file:a", null, 3, ready::add);
        for (int i = 0; i < 7; i++) {
            router.add(i, at(DAY, i));
        }

        assertThat(ready).hasSize(2);
        assertThat(ready.get(1).chunk().position(0)).isEqualTo(3);
        assertThat(router.buffered()).isEqualTo(1);
    }

    @Test
    void ticksSpreadOverManyDaysNeverBufferMoreThanABatch() throws Exception {
        DayRouter router = new DayRouter("file:a", null, 4, ready::add);
        for (int i = 0; i < 100; i++) {
            router.add(i, at(DAY.plusDays(i % 9), i));
            assertThat(router.buffered()).isLessThan(4);
        }
        router.flush();

        assertThat(ready.stream().mapToInt(c -> c.chunk().size()).sum()).isEqualTo(100);
    }

    @Test
    void flushAfterABreakDoesNotClaimTheRestOfTheFile() throws Exception {
        DayRouter router = new DayRouter("file:a", null, 10, ready::add);
        router.add(0, at(DAY, 1));
        router.flush();

        assertThat(ready.get(0).chunk().nextPosition()).isEqualTo(1);
    }
}
