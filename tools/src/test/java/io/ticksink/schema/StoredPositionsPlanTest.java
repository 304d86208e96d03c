package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit reads a stream's stored positions in order: a merged file walks its lineage index
 * without sorting; a consumer's file (no lineage index) is scanned once and the stream's positions
 * sorted in a temporary B-tree, which SQLite spills to a temporary file (temp_store=FILE) beyond
 * the connection's cache, so memory stays bounded either way. Lives beside the tools that use it,
 * in the schema's package to reach its SQL.
 */
class StoredPositionsPlanTest {

    @TempDir
    Path dir;

    @Test
    void aMergedFileIsReadThroughItsLineageIndexWithoutASort() throws Exception {
        Path file = dir.resolve("ticks_2026-01-19.db");
        DayDatabase.open(file, StoreOptions.defaults()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE INDEX idx_ticks_lineage ON ticks (stream_id, position)");
            assertThat(plan(c, StoredPositions.POSITIONS)).anySatisfy(step -> assertThat(step).contains("idx_ticks_lineage"))
                    .noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
        }
    }

    @Test
    void aConsumersFileIsScannedOnceAndItsStreamSortedOnTheSide() throws Exception {
        Path file = dir.resolve("ticks_2026-01-19.db");
        DayDatabase.open(file, StoreOptions.defaults()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(plan(c, StoredPositions.POSITIONS)).containsExactly("SCAN ticks", "USE TEMP B-TREE FOR ORDER BY");
            assertThat(plan(c, StoredPositions.LINEAGE)).containsExactly("SCAN ticks");
        }
    }

    @Test
    void deadLettersAreReadBackThroughTheScratchIndexWithoutASort() throws Exception {
        try (PositionIndex index = PositionIndex.create(dir)) {
            index.add("kafka:ticks:0", 5, "dlq-0@0", 1);
            index.seal();
            Path file;
            try (var files = java.nio.file.Files.list(dir)) {
                file = files.filter(p -> p.getFileName().toString().startsWith("ticksink-positions-")).findFirst().orElseThrow();
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                assertThat(plan(c, PositionIndex.ENTRIES)).anySatisfy(step -> assertThat(step).contains("entries_by_position"))
                        .noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
            }
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files).as("the scratch file is deleted on close").isEmpty();
        }
    }

    private static List<String> plan(Connection c, String sql) throws Exception {
        List<String> steps = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql
                .replaceFirst("stream = \\?", "stream = 'x'").replace("?", "1"))) {
            while (rs.next()) {
                steps.add(rs.getString("detail"));
            }
        }
        return steps;
    }
}
