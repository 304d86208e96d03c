package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlStatementTest {

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "select 1", "  -- why\n WITH x AS (SELECT 1) SELECT * FROM x", "/* a */ VALUES (1)",
            "EXPLAIN QUERY PLAN SELECT * FROM ticks", "SELECT 1;", "SELECT 1; -- done\n", "SELECT 1 ;; /* end */ "})
    void aSingleReadingStatementIsAccepted(String sql) throws Exception {
        assertThat(SqlStatement.check(sql)).isEqualTo(sql.substring(0, SqlStatement.endOfFirst(sql)));
    }

    @Test
    void semicolonsInsideStringsNamesAndCommentsDoNotEndTheStatement() throws Exception {
        String sql = "SELECT 'a;b', \"c;\"\"d\", [e;f], `g;h` -- i;j\n /* k;l */ FROM ticks";
        assertThat(SqlStatement.check(sql + ";")).isEqualTo(sql);
        assertThat(SqlStatement.check("SELECT 'it''s; fine'")).isEqualTo("SELECT 'it''s; fine'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1; DELETE FROM ticks", "SELECT 1;DROP TABLE ticks", "SELECT ';'; PRAGMA query_only=0",
            "SELECT 1; /* x */ SELECT 2"})
    void aSecondStatementIsRefused(String sql) {
        assertThatThrownBy(() -> SqlStatement.check(sql)).isInstanceOf(SqlStatement.Refused.class)
                .hasMessageContaining("one statement at a time");
    }

    @ParameterizedTest
    @ValueSource(strings = {"INSERT INTO ticks VALUES (1)", "update ticks set bid = 0", "DELETE FROM ticks", "DROP TABLE ticks",
            "ATTACH 'x.db' AS y", "PRAGMA query_only = 0", "VACUUM INTO '/tmp/x.db'", "CREATE TEMP TABLE t (a)",
            "REPLACE INTO ticks VALUES (1)", "BEGIN", "(SELECT 1)"})
    void aStatementThatDoesNotStartAsAQueryIsRefused(String sql) {
        assertThatThrownBy(() -> SqlStatement.check(sql)).isInstanceOf(SqlStatement.Refused.class)
                .hasMessageContaining("only a read-only query can run");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "-- nothing\n", ";"})
    void noStatementIsRefused(String sql) {
        assertThatThrownBy(() -> SqlStatement.check(sql)).isInstanceOf(SqlStatement.Refused.class)
                .hasMessageContaining("no SQL statement");
    }
}
