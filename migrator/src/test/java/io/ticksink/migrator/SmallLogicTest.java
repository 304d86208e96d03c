package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallLogicTest {

    @Test
    void fileNamesTellTheFormat() {
        assertThat(SourceFormat.of("2026-01-19.json")).isEqualTo(new SourceFormat(false, false));
        assertThat(SourceFormat.of("2026-01-19.JSON.GZ")).isEqualTo(new SourceFormat(false, true));
        assertThat(SourceFormat.of("2026-01-19.jsonl")).isEqualTo(new SourceFormat(true, false));
        assertThat(SourceFormat.of("2026-01-19.ndjson.gz")).isEqualTo(new SourceFormat(true, true));
        assertThat(SourceFormat.of("2026-01-19.csv")).isNull();
        assertThat(SourceFormat.of("notes.txt.gz")).isNull();
    }

    @Test
    void verifyNamesEverySymbolWhoseCountsDiffer() {
        LocalDate day = LocalDate.of(2026, 1, 19);
        assertThat(CountVerifier.compare(day, Map.of("EURUSD", 10L, "GBPUSD", 5L, "USDJPY", 1L),
                Map.of("EURUSD", 10L, "GBPUSD", 4L, "OTHER", 99L)))
                .containsExactlyInAnyOrder(new CountVerifier.Difference(day, "GBPUSD", 5, 4),
                        new CountVerifier.Difference(day, "USDJPY", 1, 0));
    }

    @Test
    void fingerprintIsSizeAndCrc() {
        assertThat(SourceFingerprint.format(123, 0xabcL)).isEqualTo("123:00000abc");
    }
}
