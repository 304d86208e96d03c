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
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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

    @Mixin
    BusyTimeoutOption busy;

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
                DayMaintenance.compact(file, busy.busyTimeout);
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
        return skipped == 0 ? 0 : ExitCodes.PROBLEM;
    }
}
