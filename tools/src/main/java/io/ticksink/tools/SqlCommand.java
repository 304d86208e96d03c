package io.ticksink.tools;

import io.ticksink.cli.DataDirOption;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sql}: one read-only SQL statement over the days of a range as if they were one table
 * {@code ticks} (see {@link SqlRange}), its result streamed as CSV or NDJSON.
 *
 * <p>Exit codes as {@link Main}'s: 2 for a statement that is refused or that SQLite cannot
 * compile (the user's to fix), 1 for a range that cannot be read whole (archived days) or an
 * error while it runs.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run one read-only SQL query (SQLite's SQL) over the days FROM to TO, both included, "
                + "as one table: ticks(symbol, timestamp, bid, ask, spread, lp_source, broker_id).",
                "timestamp is epoch milliseconds UTC. Writes of any kind are refused; day files are opened read-only."})
final class SqlCommand implements Callable<Integer> {

    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data;

    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day, included.")
    LocalDate from;

    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day, included.")
    LocalDate to;

    @Option(names = "--format", defaultValue = "csv",
            description = "csv (with a header) or json (one object per line). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--temp-dir", paramLabel = "DIR", defaultValue = "${sys:java.io.tmpdir}",
            description = "Where a range of more day files than SQLite attaches at once (125) is copied first. "
                    + "Default: ${DEFAULT-VALUE}.")
    Path tempDir;

    @Parameters(index = "0", paramLabel = "SQL", description = "One SELECT, WITH, VALUES or EXPLAIN statement.")
    String sql;

    @Override
    public Integer call() throws IOException, SQLException, StoreException {
        PrintWriter err = spec.commandLine().getErr();
        if (to.isBefore(from)) {
            throw new ParameterException(spec.commandLine(), "--to is before --from");
        }
        TickFormat outputFormat = Formats.parse(spec, format);
        if (!Files.isDirectory(data.dataDir)) {
            throw new ParameterException(spec.commandLine(), "no such data dir: " + data.dataDir);
        }
        String statement;
        try {
            statement = SqlStatement.check(sql);
        } catch (SqlStatement.Refused e) {
            err.println("sql: " + e.getMessage());
            return USAGE;
        }
        List<Path> files = new ArrayList<>();
        for (Path f : DayFiles.list(data.dataDir)) {
            LocalDate day = DayFiles.dayOf(f);
            if (!day.isBefore(from) && !day.isAfter(to)) {
                files.add(f);
            }
        }
        List<LocalDate> archived = unreadArchives();
        if (!archived.isEmpty()) {
            err.println("sql: archived days in the range are not read until restored: " + archived
                    + "; run 'ticksink-tools restore --data-dir " + data.dataDir + " --day DAY' for each, or leave them out of the range");
            return ExitCodes.PROBLEM;
        }
        if (files.isEmpty()) {
            err.println("sql: no day files from " + from + " to " + to + " in " + data.dataDir + "; ticks is empty");
        }
        Map<Path, Long> sizes = new HashMap<>();
        for (Path f : files) {
            sizes.put(f, FileSizes.withCompanions(f));
        }
        int limit = SqlRange.attachLimit();
        try (SqlRange range = SqlRange.open(SqlRange.plan(files, sizes, limit), limit, tempDir, err)) {
            PreparedStatement query;
            try {
                query = range.connection().prepareStatement(statement);
            } catch (SQLException e) {
                err.println("sql: SQLite cannot run the statement: " + e.getMessage());
                return USAGE;
            }
            try (query) {
                if (!returnsRows(query)) {
                    err.println("sql: refused: the statement returns no rows, so it is not a query");
                    return USAGE;
                }
                try (ResultSet rs = query.executeQuery()) {
                    SqlOutput.write(rs, outputFormat, spec.commandLine().getOut());
                }
            } catch (SQLiteException e) {
                // a write that got past the statement check (WITH ... INSERT ... RETURNING) fails
                // on its first step, before any row is out: the read-only connection refuses it
                if ((e.getResultCode().code & 0xff) != SQLiteErrorCode.SQLITE_READONLY.code) {
                    throw e;
                }
                err.println("sql: refused: the statement writes (" + e.getMessage() + ")");
                return USAGE;
            }
        }
        return 0;
    }

    /** Whether the statement has result columns; sqlite-jdbc refuses to count none. */
    private static boolean returnsRows(PreparedStatement query) {
        try {
            return query.getMetaData().getColumnCount() > 0;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The days of the range with a {@code .db.zst} archive whose rows are not in the day's file:
     * all of them, unless {@code restore --keep-archive} merged the archive into the file (the file
     * then names the archive's content digest among its stream positions).
     */
    private List<LocalDate> unreadArchives() throws IOException, StoreException {
        List<LocalDate> days = new ArrayList<>();
        for (Path archive : DayArchiver.listArchives(data.dataDir)) {
            LocalDate day = DayArchiver.dayOfArchive(archive);
            if (day.isBefore(from) || day.isAfter(to)) {
                continue;
            }
            Path file = DayArchiver.dayFileOf(archive);
            boolean merged = Files.exists(file) && DayReader.positions(file)
                    .containsKey("archive:sha256:" + HexFormat.of().formatHex(DayArchiver.contentDigest(archive)));
            if (!merged && !days.contains(day)) {
                days.add(day);
            }
        }
        return days;
    }
}
