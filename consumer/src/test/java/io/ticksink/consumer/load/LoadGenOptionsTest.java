package io.ticksink.consumer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadGenOptionsTest {

    @Test
    void defaultsPublishUnlimited64SymbolsFromTheDocumentedStart() {
        LoadGenOptions o = LoadGenerator.options("--bootstrap-servers", "h:1");
        assertThat(o.topic).isEqualTo("ticks");
        assertThat(o.rate).isZero();
        assertThat(o.count).isNull();
        assertThat(o.duration).isNull();
        assertThat(o.symbols).isEqualTo(64);
        assertThat(o.start).isEqualTo(Instant.parse("2026-01-19T00:00:00Z"));
        assertThat(o.step).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void rateReadsPlainPerSecondAndUnlimited() {
        assertThat(LoadGenerator.options("--bootstrap-servers", "h:1", "--rate", "5000").rate).isEqualTo(5000);
        assertThat(LoadGenerator.options("--bootstrap-servers", "h:1", "--rate", "2500/s").rate).isEqualTo(2500);
        assertThat(LoadGenerator.options("--bootstrap-servers", "h:1", "--rate", "unlimited").rate).isZero();
        assertThatThrownBy(() -> LoadGenerator.options("--bootstrap-servers", "h:1", "--rate", "0"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("not a rate");
        assertThatThrownBy(() -> LoadGenerator.options("--bootstrap-servers", "h:1", "--rate", "fast"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("not a rate");
    }

    @Test
    void badValuesAreRejectedNamingTheOption() {
        assertThatThrownBy(() -> LoadGenerator.options("--bootstrap-servers", "h:1", "--symbols", "0"))
                .hasMessageContaining("--symbols");
        assertThatThrownBy(() -> LoadGenerator.options("--bootstrap-servers", "h:1", "--count", "-1"))
                .hasMessageContaining("--count");
        assertThatThrownBy(() -> LoadGenerator.options("--topic", "t")).hasMessageContaining("--bootstrap-servers");
    }

    @Test
    void theSameOptionsGenerateTheSameTicks() {
        SyntheticTicks a = LoadGenerator.options("--bootstrap-servers", "h:1", "--seed", "7").ticks();
        SyntheticTicks b = LoadGenerator.options("--bootstrap-servers", "h:1", "--seed", "7").ticks();
        for (int i = 0; i < 100; i++) {
            assertThat(a.nextSymbol()).isEqualTo(b.nextSymbol());
            assertThat(a.next()).isEqualTo(b.next());
        }
    }
}
