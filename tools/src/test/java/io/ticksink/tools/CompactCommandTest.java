package io.ticksink.tools;

import static io.ticksink.tools.DayFixtures.tick;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactCommandTest {

    @TempDir
    Path dataDir;

    @Test
    void compactsClosedDaysOnlyAndKeepsTheirTicks() throws Exception {
        // the fixed clock is 2026-03-01T12:00Z: the 27th ended over a day ago, the 28th did not
        DayFixtures.write(dataDir, tick("EURUSD", "2026-02-27T10:00:00Z", 1.0, 1.1),
                tick("EURUSD", "2026-02-28T10:00:00Z", 1.0, 1.1));
        Path closed = DayFiles.path(dataDir, LocalDate.parse("2026-02-27"));

        Cli.Run run = Cli.run("compact", "--data-dir", dataDir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).hasSize(2);
        assertThat(run.lines().get(0)).startsWith("compacted " + closed + ": ");
        assertThat(run.lines().get(1)).startsWith("1 files compacted");
        assertThat(DayReader.count(closed)).isEqualTo(1);
    }
}
