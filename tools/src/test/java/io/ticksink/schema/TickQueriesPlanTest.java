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
 * The read queries walk the (symbol, timestamp) index in order, so they stream without sorting
 * and stay fast on a day of millions of ticks. Lives beside the tools that depend on it, in the
 * schema's package to reach its SQL.
 */
class TickQueriesPlanTest {

    @TempDir
    Path dir;

    @Test
    void rangeRecentAndDayQueriesUseTheIndexWithoutASort() throws Exception {
        Path file = dir.resolve("ticks_2026-01-19.db");
        DayDatabase.open(file, StoreOptions.defaults()).close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            for (String sql : List.of(TickQueries.RANGE, TickQueries.RECENT, TickQueries.DAY_SYMBOL, TickQueries.DAY_ALL)) {
                assertThat(plan(c, sql)).as(sql)
                        .anySatisfy(step -> assertThat(step).contains("USING INDEX idx_ticks_symbol_timestamp"))
                        .noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
            }
        }
    }

    private static List<String> plan(Connection c, String sql) throws Exception {
        List<String> steps = new ArrayList<>();
        // EXPLAIN accepts unbound parameters: they plan as NULL
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                steps.add(rs.getString("detail"));
            }
        }
        return steps;
    }
}
