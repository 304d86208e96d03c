package io.ticksink.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How a ticksink command line reports what went wrong, the same in every jar: a bad option is one
 * line naming it and a hint at {@code --help} ({@link ExitCodes#USAGE}); a command that throws is
 * one {@code error:} line ({@link ExitCodes#PROBLEM}). Stateless.
 */
public final class CommandLines {

    private CommandLines() {
    }

    /**
     * A command line for {@code command} that prints to {@code out} and {@code err}; a command's
     * exception is reported as one line and ends with {@link ExitCodes#PROBLEM}.
     */
    public static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return ExitCodes.PROBLEM;
        });
        return cli;
    }

    /** Prints a usage error of {@code command} ({@code "ticksink-migrator: message"}) and returns {@link ExitCodes#USAGE}. */
    public static int usageError(PrintWriter err, String command, String message) {
        err.println(command + ": " + message);
        err.println("Run " + command + " --help for the options.");
        err.flush();
        return ExitCodes.USAGE;
    }
}
