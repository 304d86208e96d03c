package io.ticksink.tools;

import io.ticksink.schema.DayCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code restore}: decompresses archived days back to day files the queries read. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Decompress the .db.zst archives of the given days back to .db files, check them, then remove the archives.")
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data;

    @Option(names = "--day", required = true, paramLabel = "YYYY-MM-DD", description = "A day to restore (repeatable).")
    List<LocalDate> days;

    @Option(names = "--keep-archive", description = "Keep the .db.zst files after restoring.")
    boolean keepArchive;

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
            try {
                Path file = archiver.restore(archive);
                DayCheck.Result check = DayCheck.check(file, false);
                if (!check.ok()) {
                    out.println("PROBLEM  " + file + " restored but fails its check: " + String.join("; ", check.problems()));
                    failed++;
                    continue;
                }
                if (!keepArchive) {
                    Files.delete(archive);
                }
                out.println("restored " + file + " (" + check.ticks() + " ticks)");
                restored++;
            } catch (IOException e) {
                out.println("FAILED   " + archive + ": " + e.getMessage());
                failed++;
            }
        }
        out.println(restored + " files restored, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : Main.PROBLEM;
    }
}
