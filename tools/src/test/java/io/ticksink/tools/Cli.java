package io.ticksink.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Runs the tools in-process against a fixed clock and captures what they print. */
final class Cli {

    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Cli() {
    }

    static Run run(String... args) {
        return runAt(Instant.parse("2026-03-01T12:00:00Z"), args);
    }

    static Run runAt(Instant now, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(Clock.fixed(now, ZoneOffset.UTC), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
