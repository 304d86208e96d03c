package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ticksink.schema.Tick;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The legacy store's own sample files (copied from its archive) load tick for tick, and a re-run stores nothing. */
class LegacySamplesTest {

    @TempDir
    Path output;

    @Test
    void theLegacySampleFilesLoadExactlyAndARerunStoresNothing() throws Exception {
        Path input = Path.of(getClass().getResource("/legacy-samples").toURI());

        assertThat(migrate(input)).isZero();
        Map<Tick, Integer> stored = StoredRows.multiset(output);
        assertThat(stored).isEqualTo(expected(input));
        assertThat(StoredRows.count(output)).isEqualTo(80);

        assertThat(migrate(input)).isZero();
        assertThat(StoredRows.multiset(output)).isEqualTo(stored);
    }

    private int migrate(Path input) {
        return Main.run(new String[] {"--input-dir", input.toString(), "--output-dir", output.toString(),
            "--progress", "none"}, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    /** The samples read independently of the migrator: Jackson's tree and java.time. */
    private static Map<Tick, Integer> expected(Path input) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Map<Tick, Integer> ticks = new HashMap<>();
        try (Stream<Path> files = Files.walk(input)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                for (JsonNode n : mapper.readTree(file.toFile())) {
                    Tick tick = new Tick(n.get("symbol").asText(), Instant.parse(n.get("timestamp").asText()).toEpochMilli(),
                            n.get("bid").asDouble(), n.get("ask").asDouble(), n.get("spread").asDouble(),
                            n.get("lp").asText(), n.get("broker_id").asText());
                    ticks.merge(tick, 1, Integer::sum);
                }
            }
        }
        return ticks;
    }
}
