package io.ticksink.schema;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks one day file: SQLite's own integrity check, the ticksink identity and schema version,
 * and the tick rows (no NULL or non-finite values, every timestamp inside the file's day). Reads
 * through a read-only connection, so it may run beside a writer. Thread safe.
 */
public final class DayCheck {

    /** Lines of SQLite's check output kept in a report; a damaged file can print thousands. */
    private static final int MAX_CHECK_LINES = 10;

    // NaN is stored as NULL by SQLite; +-Inf compare beyond the largest finite double
    private static final String ROWS = "SELECT count(*), "
            + "coalesce(sum(symbol IS NULL OR timestamp IS NULL OR bid IS NULL OR ask IS NULL OR spread IS NULL), 0), "
            + "coalesce(sum(typeof(timestamp) <> 'integer' OR typeof(bid) NOT IN ('real', 'integer') "
            + "  OR typeof(ask) NOT IN ('real', 'integer') OR typeof(spread) NOT IN ('real', 'integer') "
            + "  OR abs(bid) > 1.7976931348623157e308 OR abs(ask) > 1.7976931348623157e308 "
            + "  OR abs(spread) > 1.7976931348623157e308), 0), "
            + "coalesce(sum(timestamp < ? OR timestamp >= ?), 0), "
            + "coalesce(sum(length(symbol) NOT BETWEEN 1 AND 64), 0) "
            + "FROM ticks";

    /**
     * What a check found.
     *
     * @param file the day file
     * @param ticks rows in its {@code ticks} table, or -1 when they could not be counted
     * @param problems one line per problem; empty when the file is sound
     */
    public record Result(Path file, long ticks, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private DayCheck() {
    }

    /**
     * Checks a file; never throws for a damaged file, whose problems are in the result.
     *
     * @param full {@code PRAGMA integrity_check} (also verifies indexes against rows) instead of
     *     the faster {@code quick_check}
     */
    public static Result check(Path file, boolean full) {
        List<String> problems = new ArrayList<>();
        long ticks = -1;
        try (Connection c = DayReader.connect(file); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(full ? "PRAGMA integrity_check" : "PRAGMA quick_check")) {
                int lines = 0;
                while (rs.next()) {
                    String line = rs.getString(1);
                    if (!"ok".equals(line) && lines++ < MAX_CHECK_LINES) {
                        problems.add((full ? "integrity_check: " : "quick_check: ") + line);
                    }
                }
            }
            int applicationId = pragmaInt(st, "application_id");
            if (applicationId != DayDatabase.APPLICATION_ID) {
                problems.add(String.format("application_id is 0x%08X, not ticksink's 0x%08X",
                        applicationId, DayDatabase.APPLICATION_ID));
            }
            int version = pragmaInt(st, "user_version");
            if (version < 1 || version > DayDatabase.SCHEMA_VERSION) {
                problems.add("schema version (user_version) is " + version + ", this build knows 1 to "
                        + DayDatabase.SCHEMA_VERSION);
            }
            ticks = checkRows(file, c, problems);
        } catch (SQLException e) {
            problems.add("cannot read: " + e.getMessage());
        }
        return new Result(file, ticks, List.copyOf(problems));
    }

    private static long checkRows(Path file, Connection c, List<String> problems) throws SQLException {
        LocalDate day = DayFiles.dayOf(file);
        long start = day == null ? Long.MIN_VALUE : DayFiles.startMillis(day);
        long end = day == null ? Long.MAX_VALUE : DayFiles.startMillis(day.plusDays(1));
        try (PreparedStatement ps = c.prepareStatement(ROWS)) {
            ps.setLong(1, start);
            ps.setLong(2, end);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                report(problems, rs.getLong(2), "with NULL values");
                report(problems, rs.getLong(3), "with non-numeric or non-finite values");
                report(problems, rs.getLong(4), "outside the day " + day);
                report(problems, rs.getLong(5), "with a symbol not 1..64 characters long");
                return rs.getLong(1);
            }
        }
    }

    private static void report(List<String> problems, long count, String what) {
        if (count > 0) {
            problems.add(count + (count == 1 ? " tick " : " ticks ") + what);
        }
    }

    private static int pragmaInt(Statement st, String pragma) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
