package io.ticksink.consumer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticTicksTest {

    private static final Instant START = Instant.parse("2026-01-19T00:00:00Z");

    /** Lowest and highest price each symbol shows over many ticks. */
    private static Map<String, double[]> ranges(SyntheticTicks ticks, long n) throws TickRejectedException {
        TickDecoder decoder = new TickDecoder();
        Map<String, double[]> ranges = new HashMap<>();
        for (long i = 0; i < n; i++) {
            String key = ticks.nextSymbol();
            Tick t = decoder.decode(ticks.next().getBytes(StandardCharsets.UTF_8), key);
            double[] r = ranges.computeIfAbsent(t.symbol(), s -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
            r[0] = Math.min(r[0], t.bid());
            r[1] = Math.max(r[1], t.ask());
        }
        return ranges;
    }

    private static void assertPricedWithin(Map<String, double[]> ranges, String symbol, double low, double high) {
        assertThat(ranges.get(symbol)[0]).as("lowest bid of " + symbol).isGreaterThanOrEqualTo(low);
        assertThat(ranges.get(symbol)[1]).as("highest ask of " + symbol).isLessThanOrEqualTo(high);
    }

    @Test
    void eachSymbolIsPricedNearItsMarket() throws Exception {
        Map<String, double[]> ranges = ranges(new SyntheticTicks(42, 16, START, 1_000_000), 1_600_000);

        assertPricedWithin(ranges, "EURUSD", 1.0, 1.2);
        assertPricedWithin(ranges, "GBPUSD", 1.15, 1.4);
        assertPricedWithin(ranges, "USDJPY", 140.0, 160.0);
        assertPricedWithin(ranges, "EURJPY", 150.0, 175.0);
        assertPricedWithin(ranges, "XAUUSD", 1900.0, 2100.0);
        assertPricedWithin(ranges, "BTCUSD", 55_000.0, 65_000.0);
        assertPricedWithin(ranges, "DE40", 17_000.0, 19_000.0);
    }

    @Test
    void pricesMoveFromTickToTickByLessThanAPipAndSpreadsAreAFewPips() throws Exception {
        SyntheticTicks ticks = new SyntheticTicks(7, 16, START, 1_000_000);
        TickDecoder decoder = new TickDecoder();
        Map<String, Tick> last = new HashMap<>();
        for (int i = 0; i < 160_000; i++) {
            String key = ticks.nextSymbol();
            Tick t = decoder.decode(ticks.next().getBytes(StandardCharsets.UTF_8), key);
            Quote quote = Quote.of(t.symbol());
            double pip = quote.pipPoints() / quote.pointsPerUnit();
            assertThat(t.spread()).as(t.toString()).isBetween(quote.minSpreadPoints() / quote.pointsPerUnit(),
                    quote.maxSpreadPoints() / quote.pointsPerUnit());
            assertThat(t.spread() / pip).as("spread in pips of " + t).isBetween(0.5, 40.0);
            assertThat(t.ask() - t.bid()).as(t.toString()).isCloseTo(t.spread(), within(pip / 1000));
            assertThat(new BigDecimal(Double.toString(t.bid())).scale()).as("decimals of " + t)
                    .isLessThanOrEqualTo(quote.digits());
            Tick before = last.put(t.symbol(), t);
            if (before != null) {
                double move = (t.bid() + t.ask()) / 2 - (before.bid() + before.ask()) / 2;
                assertThat(Math.abs(move)).as("move of " + t.symbol()).isLessThanOrEqualTo(pip * 2);
            }
        }
    }

    @Test
    void aSymbolOutsideTheTableGetsTheSamePlausibleQuoteEveryTime() {
        Quote quote = Quote.of("SYM40");

        assertThat(Quote.of("SYM40")).isEqualTo(quote);
        assertThat(quote.midPoints() / quote.pointsPerUnit()).isBetween(0.5, 2.0);
        assertThat(quote.digits()).isEqualTo(5);
        assertThat(Quote.of("SYM41")).isNotEqualTo(quote);
    }

    @Test
    void theSameSeedGivesTheSameTicks() {
        SyntheticTicks a = new SyntheticTicks(3, 64, START, 1_000_000);
        SyntheticTicks b = new SyntheticTicks(3, 64, START, 1_000_000);
        for (int i = 0; i < 1000; i++) {
            assertThat(a.nextSymbol()).isEqualTo(b.nextSymbol());
            assertThat(a.next()).isEqualTo(b.next());
        }
    }
}
