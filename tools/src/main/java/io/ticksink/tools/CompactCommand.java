package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayMaintenance;
import io.ticksink.schema.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code compact}: ANALYZE, VACUUM and a WAL checkpoint for every closed day file. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Compact the files of days that ended at least --older-than ago.",
                "Runs ANALYZE, VACUUM and wal_checkpoint(TRUNCATE); prints each file's size (with -wal/-shm) before and",
                "after. A file a writer keeps busy is skipped (exit 1)."})
final class CompactCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    DataDirOption data;

    @Option(names = "--older-than", defaultValue = "1d", converter = Durations.class,
            description = "How long a day must have ended. Default: ${DEFAULT-VALUE}.")
    Duration olderThan;

    @Option(names = "--busy-timeout", defaultValue = "5s", converter = Durations.class,
            description = "How long to wait for a writer's lock. Default: ${DEFAULT-VALUE}.")
    Duration busyTimeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ClosedDays closed = new ClosedDays(main.clock().instant(), olderThan);
        int skipped = 0;
        long before = 0;
        long after = 0;
        int compacted = 0;
        for (Path file : DayFiles.list(data.dataDir)) {
            if (!closed.isClosed(DayFiles.dayOf(file))) {
                continue;
            }
            long size = FileSizes.withCompanions(file);
            try {
                DayMaintenance.compact(file, busyTimeout);
            } catch (StoreException e) {
                skipped++;
                out.println("SKIPPED  " + file + ": " + e.getMessage());
                continue;
            }
            long newSize = FileSizes.withCompanions(file);
            before += size;
            after += newSize;
            compacted++;
            out.println("compacted " + file + ": " + FileSizes.human(size) + " -> " + FileSizes.human(newSize));
        }
        out.println(compacted + " files compacted (" + FileSizes.human(before) + " -> " + FileSizes.human(after)
                + "), " + skipped + " skipped");
        out.flush();
        return skipped == 0 ? 0 : Main.PROBLEM;
    }
}
