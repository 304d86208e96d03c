package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlRangeTest {

    @Test
    void beyondTheAttachLimitTheSmallestFilesAreCopiedAndTheRestKeepTheirOrder() {
        Path a = Path.of("a.db");
        Path b = Path.of("b.db");
        Path c = Path.of("c.db");
        Path d = Path.of("d.db");
        Map<Path, Long> sizes = Map.of(a, 40L, b, 10L, c, 30L, d, 20L);

        assertThat(SqlRange.plan(List.of(a, b, c, d), sizes, 4)).isEqualTo(new SqlRange.Plan(List.of(a, b, c, d), List.of()));
        assertThat(SqlRange.plan(List.of(a, b, c, d), sizes, 2)).isEqualTo(new SqlRange.Plan(List.of(a, c), List.of(b, d)));
    }

    @Test
    void aReadOnlyUriEscapesWhatAUriWouldReadAsItsOwn() {
        assertThat(SqlRange.readOnlyUri(Path.of("/data/100%/a?b#c.db"))).isEqualTo("file:/data/100%25/a%3fb%23c.db?mode=ro");
    }
}
