package io.ticksink.tools;

import io.ticksink.schema.DayCheck;
import io.ticksink.schema.DayFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code check}: integrity of every day file; exits 1 when any has a problem. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check every day file; exit 1 on any problem.",
                "Runs SQLite's quick_check (integrity_check with --full), checks the ticksink application_id and schema",
                "version, and looks for ticks with NULL or non-finite values or outside the file's day."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data;

    @Option(names = "--full", description = "Run integrity_check, which also checks indexes against rows (slower).")
    boolean full;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(data.dataDir)) {
            spec.commandLine().getErr().println("error: " + data.dataDir + " is not a directory");
            return Main.PROBLEM;
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Path> files = DayFiles.list(data.dataDir);
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
        out.println(files.size() + " files checked, " + bad + " with problems, " + ticks + " ticks in sound files");
        out.flush();
        if (files.isEmpty()) {
            spec.commandLine().getErr().println("warning: no day files under " + data.dataDir);
        }
        return bad == 0 ? 0 : Main.PROBLEM;
    }
}
