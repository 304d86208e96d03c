package io.ticksink.tools;

import io.ticksink.cli.BusyTimeoutOption;
import io.ticksink.cli.DataDirOption;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayCheck;
import io.ticksink.schema.DayMaintenance;
import io.ticksink.schema.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code restore}: brings archived days back into the day files the queries read. An archive is
 * decompressed beside itself, checked, then merged into the day file through SQLite (created if
 * missing), in one transaction, exactly once; a consumer writing late ticks of the day meanwhile
 * takes turns with it on SQLite's write lock. The day file is never replaced.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Merge the .db.zst archives of the given days back into their .db files (created if missing), "
                + "check them, then remove the archives.",
                "Safe beside a running consumer: ticks it wrote to the day meanwhile are kept, and nothing is stored twice."})
final class RestoreCommand implements Callable<Integer> {

    /** Runs once an archive is decompressed and checked, before it is merged: a test's hold point. */
    static volatile Consumer<Path> beforeMerge = dayFile -> { };

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data;

    @Option(names = "--day", required = true, paramLabel = "YYYY-MM-DD", description = "A day to restore (repeatable).")
    List<LocalDate> days;

    @Option(names = "--keep-archive", description = "Keep the .db.zst files after restoring.")
    boolean keepArchive;

    @Mixin
    BusyTimeoutOption busy;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        DayArchiver archiver = new DayArchiver(0);
        int restored = 0;
        int failed = 0;
        for (Path archive : DayArchiver.listArchives(data.dataDir)) {
            if (!days.contains(DayArchiver.dayOfArchive(archive))) {
                continue;
            }
            Path file = DayArchiver.dayFileOf(archive);
            Path restoring = DayArchiver.restoringOf(archive);
            try {
                byte[] digest = archiver.decompress(archive, restoring);
                DayCheck.Result check = DayCheck.check(restoring, false);
                if (!check.ok()) {
                    out.println("PROBLEM  " + archive + " fails its check: " + String.join("; ", check.problems()));
                    failed++;
                    continue;
                }
                beforeMerge.accept(file);
                // the archive's content names it: a rerun after a crash finds it merged already
                long added = DayMaintenance.restoreInto(file, restoring, "archive:sha256:" + HexFormat.of().formatHex(digest), busy.busyTimeout);
                if (!keepArchive) {
                    Files.delete(archive);
                }
                out.println(added < 0 ? "restored " + file + " (already merged by an earlier run)"
                        : "restored " + file + " (" + added + " ticks)");
                restored++;
            } catch (IOException | StoreException e) {
                out.println("FAILED   " + archive + ": " + e.getMessage());
                failed++;
            } finally {
                DayArchiver.deleteWithCompanions(restoring);
            }
        }
        out.println(restored + " files restored, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : ExitCodes.PROBLEM;
    }
}
