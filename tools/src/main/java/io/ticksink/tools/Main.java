package io.ticksink.tools;

import io.ticksink.cli.CommandLines;
import io.ticksink.cli.VersionProvider;
import io.ticksink.schema.NativeLibraryDir;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ticksink-tools}: the operator's read and maintenance commands over a data dir.
 *
 * <p>Exit codes ({@link io.ticksink.cli.ExitCodes}): 0 done; 1 a problem was found or a day could
 * not be handled (the message says which); 2 wrong usage. Data goes to stdout, messages to stderr.
 * A command is a class of its own, named in {@code subcommands} below.
 *
 * <p>One instance serves one command line on one thread.
 */
@Command(name = "ticksink-tools", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Read and maintain ticksink day files.",
        subcommands = {QueryCommand.class, BarsCommand.class, RecentCommand.class, StatsCommand.class, CheckCommand.class,
                CompactCommand.class, RetentionCommand.class, RestoreCommand.class, MergeCommand.class,
                RedriveCommand.class, AuditCommand.class, SqlCommand.class, ExportCommand.class})
public final class Main {

    private final Clock clock;

    @Option(names = {"-v", "--verbose"}, description = "Log what the command does (to stderr); give it before the command.")
    void verbose(boolean on) {
        if (on) {
            Configurator.setLevel("io.ticksink", Level.DEBUG);
        }
    }

    public Main(Clock clock) {
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    /** A command line over this clock, printing data to {@code out} and messages to {@code err}. */
    public static CommandLine commandLine(Clock clock, PrintWriter out, PrintWriter err) {
        return CommandLines.commandLine(new Main(clock), out, err);
    }

    public static void main(String[] args) {
        NativeLibraryDir.prepare(); // before anything loads SQLite
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = commandLine(Clock.systemUTC(), out, err).execute(args);
        out.flush();
        System.exit(code);
    }
}
