package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarBuilderTest {

    @Test
    void theMeanSpreadOfManyEqualSpreadsIsThatSpread() throws Exception {
        List<Bar> bars = new ArrayList<>();
        BarBuilder builder = new BarBuilder("EURUSD", 60_000, BarPrice.BID, false, Long.MAX_VALUE, bars::add);
        for (int i = 0; i < 1389; i++) {
            builder.add(i * 43L, 1.08, 1.08002, 2e-5);
        }
        builder.finish();

        // a plain running sum of 1,389 × 2e-5 drifts to a mean of 1.999999999999943E-5
        assertThat(bars).singleElement().satisfies(bar -> {
            assertThat(bar.ticks()).isEqualTo(1389);
            assertThat(bar.spreadMean()).isEqualTo(2e-5);
        });
    }

    @Test
    void barsBeforeTheEpochAreAlignedDownwardToo() throws Exception {
        List<Bar> bars = new ArrayList<>();
        BarBuilder builder = new BarBuilder("EURUSD", 60_000, BarPrice.ASK, true, 60_000, bars::add);
        builder.add(-1, 1.0, 2.0, 1.0);
        builder.finish();

        assertThat(bars).extracting(Bar::startMillis, Bar::ticks, Bar::close)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(-60_000L, 1L, 2.0),
                        org.assertj.core.groups.Tuple.tuple(0L, 0L, 2.0));
    }

    @Test
    void fillEndingNearTheLargestInstantStopsWithoutWrappingAround() throws Exception {
        List<Bar> bars = new ArrayList<>();
        long end = Long.MAX_VALUE;
        long lastStart = Math.floorDiv(end - 1, 86_400_000L) * 86_400_000L;
        BarBuilder builder = new BarBuilder("EURUSD", 86_400_000L, BarPrice.BID, true, end, bars::add);
        builder.add(lastStart - 86_400_000L + 5, 1.0, 2.0, 1.0);
        builder.finish();

        assertThat(bars).extracting(Bar::startMillis).containsExactly(lastStart - 86_400_000L, lastStart);
    }
}
