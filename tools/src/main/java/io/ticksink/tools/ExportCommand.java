package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code export}: the days of a range into one file per day in a format analytics tools read
 * directly. Each source record once over several dirs, as {@code query} reads them. A day is
 * exported when it has a day file in some dir; its file is replaced atomically (see
 * {@link ParquetDayFile}). Days are exported one after the other; the first failure stops the
 * command, leaving the days before it exported.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export the days FROM..TO (inclusive, UTC) into one file per day: OUT/ticks_YYYY-MM-DD.parquet,",
                "rows ordered by symbol then timestamp. An existing file is replaced atomically (or kept, with --skip-existing)."})
final class ExportCommand implements Callable<Integer> {

    /** The file formats export writes. */
    enum Format { parquet }

    /** SQLite's BINARY order of text (UTF-8 bytes, so code points): the order of a day file's symbols. */
    static final Comparator<String> SQLITE_ORDER = (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirsOption data;

    @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day, inclusive.")
    LocalDate from;

    @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day, inclusive.")
    LocalDate to;

    @Option(names = "--format", defaultValue = "parquet",
            description = "File format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "OUTDIR", description = "Directory for the files; created if missing.")
    Path out;

    @Option(names = "--symbol", paramLabel = "S", description = "Export only this symbol (repeatable). Default: every symbol.")
    List<String> symbols = new ArrayList<>();

    @Option(names = "--skip-existing", description = "Keep a day whose file is already in OUTDIR (resume a long export) instead of replacing it.")
    boolean skipExisting;

    @Override
    public Integer call() throws StoreException, IOException {
        if (to.isBefore(from)) {
            throw new ParameterException(spec.commandLine(), "--to is before --from");
        }
        for (Path dir : data.dataDirs) {
            if (!Files.isDirectory(dir)) {
                throw new ParameterException(spec.commandLine(), "data dir " + dir + " does not exist or is not a directory");
            }
        }
        TreeSet<String> distinct = new TreeSet<>(SQLITE_ORDER);
        distinct.addAll(symbols);
        List<String> ordered = List.copyOf(distinct);
        Files.createDirectories(out);
        PrintWriter stdout = spec.commandLine().getOut();
        long exported = 0;
        long skipped = 0;
        long rows = 0;
        long bytes = 0;
        try (TickQueries queries = new TickQueries(data.dataDirs)) {
            for (LocalDate day : queries.days()) {
                if (day.isBefore(from) || day.isAfter(to)) {
                    continue;
                }
                Path target = out.resolve(ParquetDayFile.fileName(day));
                if (skipExisting && Files.exists(target)) {
                    stdout.println(day + "  skipped: " + target + " exists");
                    skipped++;
                    continue;
                }
                long dayRows = ParquetDayFile.write(queries, day, ordered, out);
                long size = Files.size(target);
                stdout.println(day + "  " + dayRows + " ticks  " + FileSizes.human(size) + "  " + target);
                stdout.flush();
                exported++;
                rows += dayRows;
                bytes += size;
            }
        }
        stdout.println(exported + " days exported, " + skipped + " skipped: " + rows + " ticks, " + FileSizes.human(bytes));
        return 0;
    }
}
