package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ticksink.migrator.ArchiveGenerator.FileSpec;
import io.ticksink.schema.Tick;
import java.io.BufferedWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A giant JSON element is refused with its reason in a heap far smaller than the element: an
 * archive wrapped in one object, and an element holding a huge string, each 96 MiB, under -Xmx32m.
 */
class GiantElementIT {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 19);
    private static final long GIANT = 96L << 20;
    private static final String TICK =
            "{\"symbol\":\"EURUSD\",\"bid\":1.1,\"ask\":1.2,\"timestamp\":\"2026-01-19T10:00:00Z\"}";

    @TempDir
    Path dir;

    @Test
    void aWrappedArchiveAndAHugeStringAreRefusedWithTheirReasonInA32MegabyteHeap() throws Exception {
        Path input = dir.resolve("archive");
        Path output = dir.resolve("data");
        Map<Tick, Integer> expected = new HashMap<>();
        ArchiveGenerator.write(input, FileSpec.plain("EURUSD", DAY, 1000), t -> StoredRows.add(expected, t));
        Files.createDirectories(input.resolve("GBPUSD"));
        try (Writer w = Files.newBufferedWriter(input.resolve("GBPUSD/" + DAY + ".json"), StandardCharsets.UTF_8)) {
            w.write("{\"ticks\":[" + TICK);
            for (long written = 0; written < GIANT; written += TICK.length() + 1) {
                w.write(',');
                w.write(TICK);
            }
            w.write("]}");
        }
        Files.createDirectories(input.resolve("USDJPY"));
        try (BufferedWriter w = Files.newBufferedWriter(input.resolve("USDJPY/" + DAY + ".json"), StandardCharsets.UTF_8)) {
            w.write("[" + TICK.replace("EURUSD", "USDJPY") + ",{\"symbol\":\"USDJPY\",\"lp\":\"");
            char[] x = new char[1 << 16];
            java.util.Arrays.fill(x, 'x');
            for (long written = 0; written < GIANT; written += x.length) {
                w.write(x);
            }
            w.write("\",\"bid\":1.1,\"ask\":1.2,\"timestamp\":\"2026-01-19T10:00:00Z\"}]");
        }
        Path log = dir.resolve("migrator.log");

        int exit = ChildMigrator.run(log, "32m", Duration.ofSeconds(120),
                "--input-dir", input.toString(), "--output-dir", output.toString(), "--progress", "none");

        String out = Files.readString(log);
        assertThat(out).doesNotContain("OutOfMemoryError");
        assertThat(exit).as(out).isEqualTo(1);
        Map<Tick, Integer> usdjpy = new HashMap<>();
        StoredRows.add(usdjpy, new Tick("USDJPY", 1768816800000L, 1.1, 1.2, 1.2 - 1.1, null, null));
        expected.putAll(usdjpy);
        assertThat(StoredRows.multiset(output)).isEqualTo(expected);
        assertThat(out).contains("3 found: 1 loaded, 2 broken");
        List<JsonNode> report = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(output.resolve(RejectsReport.FILE_NAME))) {
            report.add(mapper.readTree(line));
        }
        report.sort(java.util.Comparator.comparing(n -> n.get("file").asText()));
        assertThat(report).hasSize(2);
        assertThat(report.get(0).get("file").asText()).isEqualTo("GBPUSD/" + DAY + ".json");
        assertThat(report.get(0).get("reason").asText()).isEqualTo("BROKEN_FILE");
        assertThat(report.get(0).get("detail").asText()).contains("not a JSON array of tick objects");
        assertThat(report.get(1).get("file").asText()).isEqualTo("USDJPY/" + DAY + ".json");
        assertThat(report.get(1).get("position").asLong()).isEqualTo(1);
        assertThat(report.get(1).get("detail").asText()).contains("record 1 holds a value beyond the parser's bounds");
    }
}
