package io.ticksink.migrator;

import io.ticksink.cli.CommandLines;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.NativeLibraryDir;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of {@code ticksink-migrator.jar}: reads the options, runs the migration, prints
 * the summary and exits with the code {@link MigrationResult#exitCode()} chose, one of
 * {@link ExitCodes}.
 *
 * <p>Thread safe: each {@link #run} call is a run of its own (tests call it in process).
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the migrator as the command line would and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        NativeLibraryDir.prepare(); // before anything loads SQLite
        MigratorConfig config = new MigratorConfig();
        CommandLine cli = new CommandLine(config).setOut(out).setErr(err);
        try {
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            if (cli.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
                return CommandLine.executeHelpRequest(parsed) == null ? 0 : 0;
            }
            MigrationSettings settings = config.settings();
            MigrationResult result = new Migration(settings, config.progressReporter()).run();
            out.print(MigrationSummary.format(result));
            out.flush();
            if (result.failure() != null) {
                err.println("ticksink-migrator: " + result.failure());
            }
            return result.exitCode();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            return CommandLines.usageError(err, "ticksink-migrator", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ticksink-migrator: interrupted");
            return ExitCodes.FATAL;
        } catch (Exception e) {
            log.error("migration stopped", e);
            err.println("ticksink-migrator: " + e.getMessage());
            return ExitCodes.FATAL;
        }
    }
}
