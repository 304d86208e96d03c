package io.ticksink.tools;

import io.ticksink.cli.BusyTimeoutOption;
import io.ticksink.cli.DataDirOption;
import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayMaintenance;
import io.ticksink.schema.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code retention}: compresses or deletes the files of days that ended at least
 * {@code --older-than} ago. A file is only touched while this process holds it alone; a file
 * any other connection has open (a consumer, a reader) is skipped with a message.
 */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = {"Compress or delete the files of days that ended at least --older-than ago.",
                "--compress writes <file>.db.zst from a copy made through SQLite and removes the original, still held,",
                "only after the archive decompresses to the same bytes. Files another process has open are skipped (exit 1)."})
final class RetentionCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RetentionCommand.class);

    /** Runs while a file is held (and archived) and not yet deleted: a test's hold point. */
    static volatile java.util.function.Consumer<Path> heldBeforeDelete = file -> { };

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    DataDirOption data;

    @Option(names = "--older-than", required = true, converter = Durations.class,
            description = "How long a day must have ended, e.g. 30d.")
    Duration olderThan;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    static final class Action {
        @Option(names = "--compress", required = true, description = "Replace each day file by a verified .db.zst archive.")
        boolean compress;

        @Option(names = "--delete", required = true, description = "Delete day files and archives.")
        boolean delete;
    }

    @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
    boolean dryRun;

    @Mixin
    BusyTimeoutOption busy;

    @Option(names = "--level", defaultValue = "9", description = "zstd level, 1..22. Default: ${DEFAULT-VALUE}.")
    int level;

    @Override
    public Integer call() throws IOException {
        if (level < 1 || level > 22) {
            throw new ParameterException(spec.commandLine(), "--level must be 1..22, not " + level);
        }
        PrintWriter out = spec.commandLine().getOut();
        ClosedDays closed = new ClosedDays(main.clock().instant(), olderThan);
        DayArchiver archiver = new DayArchiver(level);
        int done = 0;
        int skipped = 0;
        for (Path file : DayFiles.list(data.dataDir)) {
            if (!closed.isClosed(DayFiles.dayOf(file))) {
                continue;
            }
            long size = FileSizes.withCompanions(file);
            if (dryRun) {
                out.println("would " + (action.compress ? "compress " : "delete ") + file + " (" + FileSizes.human(size) + ")");
                done++;
                continue;
            }
            // the file is held from the copy through the deletion, and read by SQLite alone: a
            // descriptor of it opened and closed here would drop the lock (POSIX locks are per process)
            Path copy = DayArchiver.copyOf(file);
            try (DayMaintenance.ExclusiveDay held = DayMaintenance.takeExclusive(file, busy.busyTimeout)) {
                if (action.compress) {
                    DayArchiver.deleteWithCompanions(copy);
                    held.copyTo(copy);
                    Path archive = archiver.compress(copy, file);
                    heldBeforeDelete.accept(file);
                    held.delete(copy);
                    out.println("compressed " + file + ": " + FileSizes.human(size) + " -> "
                            + FileSizes.human(Files.size(archive)) + " " + archive.getFileName());
                } else {
                    heldBeforeDelete.accept(file);
                    held.delete(null);
                    out.println("deleted " + file + " (" + FileSizes.human(size) + ")");
                }
                done++;
            } catch (StoreException | IOException e) {
                log.debug("skipping {}", file, e);
                out.println("SKIPPED  " + file + ": " + e.getMessage());
                skipped++;
            } finally {
                DayArchiver.deleteWithCompanions(copy);
            }
        }
        if (action.delete) {
            for (Path archive : DayArchiver.listArchives(data.dataDir)) {
                if (closed.isClosed(DayArchiver.dayOfArchive(archive))) {
                    long size = Files.size(archive);
                    if (!dryRun) {
                        Files.delete(archive);
                    }
                    out.println((dryRun ? "would delete " : "deleted ") + archive + " (" + FileSizes.human(size) + ")");
                    done++;
                }
            }
        }
        String verb = action.compress ? (dryRun ? "would compress " : "compressed ") : (dryRun ? "would delete " : "deleted ");
        out.println(verb + done + " files, " + skipped + " skipped");
        out.flush();
        return skipped == 0 ? 0 : ExitCodes.PROBLEM;
    }
}
