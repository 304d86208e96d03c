package io.ticksink.tools;

import io.ticksink.cli.BusyTimeoutOption;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayMerge;
import io.ticksink.schema.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code merge}: copies the ticks of other data dirs' day files into the target dir's day files,
 * each source record once (by lineage), with the greater stream positions, so that a consumer
 * pointed at the target later skips everything already there. One transaction per target day
 * file (per {@link DayMerge#MAX_SOURCES} source files of the day), so a rerun after a crash is
 * exact and a second run adds nothing. Sources are only read, from their committed data.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge the day files of the --from data dirs into the --data-dir one (created as the consumer creates them), "
                + "each source record once.",
                "Idempotent and safe to rerun after a crash; sources are opened read-only and may be written by live consumers meanwhile."})
final class MergeCommand implements Callable<Integer> {

    /** Runs before each target day file is merged: a test's hold point. */
    static volatile Consumer<Path> beforeDay = dayFile -> { };

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "The target data dir (YYYY/MM/ticks_YYYY-MM-DD.db); created if missing.")
    Path target;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "A source data dir (repeatable).")
    List<Path> sources;

    @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "Merge only this day (repeatable). Default: every day of the sources.")
    List<LocalDate> days;

    @Mixin
    BusyTimeoutOption busy;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path targetReal = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath().normalize();
        Map<LocalDate, List<Path>> byDay = new TreeMap<>();
        for (Path source : sources) {
            if (!Files.isDirectory(source)) {
                err.println("error: source data dir " + source + " does not exist or is not a directory");
                return ExitCodes.PROBLEM;
            }
            if (source.toRealPath().equals(targetReal)) {
                err.println("error: source data dir " + source + " is the target data dir");
                return ExitCodes.PROBLEM;
            }
            for (Path file : listDayFiles(source)) {
                LocalDate day = DayFiles.dayOf(file);
                if (days == null || days.contains(day)) {
                    byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(file);
                }
            }
        }
        boolean terminal = System.console() != null;
        DayMerge.Result total = DayMerge.Result.NONE;
        int merged = 0;
        int failed = 0;
        int done = 0;
        for (Map.Entry<LocalDate, List<Path>> entry : byDay.entrySet()) {
            Path file = DayFiles.path(target, entry.getKey());
            if (terminal) {
                err.print("\rmerging " + entry.getKey() + " (" + (done + 1) + "/" + byDay.size() + ") ...");
                err.flush();
            }
            done++;
            try {
                beforeDay.accept(file);
                Files.createDirectories(file.getParent());
                List<Path> files = entry.getValue();
                DayMerge.Result day = DayMerge.Result.NONE;
                for (int from = 0; from < files.size(); from += DayMerge.MAX_SOURCES) {
                    day = day.plus(DayMerge.mergeInto(file, files.subList(from, Math.min(files.size(), from + DayMerge.MAX_SOURCES)),
                            busy.busyTimeout));
                }
                if (terminal) {
                    err.print("\r");
                }
                out.println(entry.getKey() + "  " + day.added() + " rows added, " + day.copiesDropped() + " copies dropped, "
                        + day.withoutLineage() + " rows without lineage (" + day.withoutLineageAdded() + " added)"
                        + (day.fingerprintConflicts() > 0 ? ", " + day.fingerprintConflicts()
                                + " stream fingerprints differing from the target's (target's kept)" : ""));
                total = total.plus(day);
                merged++;
            } catch (IOException | StoreException e) {
                if (terminal) {
                    err.print("\r");
                }
                out.println("FAILED   " + entry.getKey() + " into " + file + ": " + e.getMessage());
                failed++;
            }
        }
        out.println(merged + " days merged, " + failed + " failed: " + total.added() + " rows added, "
                + total.copiesDropped() + " copies dropped, " + total.withoutLineage() + " rows without lineage ("
                + total.withoutLineageAdded() + " added)");
        out.flush();
        if (failed > 0) {
            err.println("error: " + failed + " of " + byDay.size() + " days could not be merged (see FAILED lines)");
            return ExitCodes.PROBLEM;
        }
        return 0;
    }

    /**
     * The day files of a source dir. A live consumer deletes a day's {@code -wal} when it closes
     * the day, which can fail a directory walk that saw the file a moment before: listed again.
     */
    private static List<Path> listDayFiles(Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return DayFiles.list(dir);
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 5) {
                    throw e.getCause();
                }
            }
        }
    }
}
