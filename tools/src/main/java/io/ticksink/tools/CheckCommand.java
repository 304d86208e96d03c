package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayCheck;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code check}: integrity of every day file; exits 1 when any has a problem. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check every day file of every --data-dir; exit 1 on any problem.",
                "Runs SQLite's quick_check (integrity_check with --full), checks the ticksink application_id and schema",
                "version, and looks for ticks with NULL or non-finite values or outside the file's day."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirsOption data;

    @Option(names = "--full", description = "Run integrity_check, which also checks indexes against rows (slower).")
    boolean full;

    @Option(names = "--copies", description = {"Also count, per day, the rows that repeat a source record (same stream "
            + "and position) stored in another file or --data-dir: what a union read or merge drops. Reads every row."})
    boolean copies;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int dirsWithProblems = 0;
        int files = 0;
        int bad = 0;
        long ticks = 0;
        for (Path dir : data.dataDirs) {
            DirResult result = checkDir(dir, out);
            if (result.bad() > 0 || result.files() < 0) {
                dirsWithProblems++;
            }
            files += Math.max(0, result.files());
            bad += result.bad();
            ticks += result.ticks();
        }
        if (data.dataDirs.size() > 1) {
            // ticks in sound files count every copy: a record stored on two nodes counts twice
            out.println("all " + data.dataDirs.size() + " dirs: " + files + " files checked, " + bad
                    + " with problems, " + ticks + " ticks in sound files");
        }
        out.flush();
        if (dirsWithProblems > 0) {
            if (copies) {
                spec.commandLine().getErr().println("copies not counted: fix the problems first");
            }
            return ExitCodes.PROBLEM;
        }
        return !copies || countCopies(out) ? 0 : ExitCodes.PROBLEM;
    }

    /** Prints the copies of each day and their total; {@code false} when a day could not be read. */
    private boolean countCopies(PrintWriter out) {
        try (TickQueries queries = new TickQueries(data.dataDirs)) {
            long total = 0;
            for (LocalDate day : queries.days()) {
                long n = queries.copies(day);
                total += n;
                out.println("copies   " + day + ": " + n);
            }
            out.println(total + " rows are copies of a record stored in another file or dir");
            out.flush();
            return true;
        } catch (StoreException e) {
            out.flush();
            spec.commandLine().getErr().println("error: cannot count copies: " + e.getMessage());
            return false;
        }
    }

    /** One dir's tally; {@code files} is -1 when the dir is not a directory. */
    private record DirResult(int files, int bad, long ticks) {
    }

    private DirResult checkDir(Path dir, PrintWriter out) throws IOException {
        if (!Files.isDirectory(dir)) {
            out.flush();
            spec.commandLine().getErr().println("error: " + dir + " is not a directory");
            return new DirResult(-1, 0, 0);
        }
        List<Path> files = DayFiles.list(dir);
        int bad = 0;
        long ticks = 0;
        for (Path file : files) {
            DayCheck.Result result = DayCheck.check(file, full);
            if (result.ok()) {
                ticks += result.ticks();
                out.println("ok       " + file + " (" + result.ticks() + " ticks)");
            } else {
                bad++;
                for (String problem : result.problems()) {
                    out.println("PROBLEM  " + file + ": " + problem);
                }
            }
        }
        String prefix = data.dataDirs.size() > 1 ? dir + ": " : "";
        out.println(prefix + files.size() + " files checked, " + bad + " with problems, " + ticks + " ticks in sound files");
        out.flush();
        if (files.isEmpty()) {
            spec.commandLine().getErr().println("warning: no day files under " + dir);
        }
        return new DirResult(files.size(), bad, ticks);
    }
}
