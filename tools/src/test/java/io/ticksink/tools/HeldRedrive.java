package io.ticksink.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A redrive in a child JVM that stops before committing a chosen transaction: it creates a marker
 * file, then waits for a line on stdin (never, when the test kills it) before it goes on.
 *
 * <p>Arguments: the transaction to hold at (from 1), the marker file, then the redrive's arguments.
 */
final class HeldRedrive {

    private HeldRedrive() {
    }

    public static void main(String[] args) {
        int holdAt = Integer.parseInt(args[0]);
        Path marker = Path.of(args[1]);
        RedriveSender.beforeCommit = transaction -> {
            if (transaction == holdAt) {
                try {
                    Files.createFile(marker);
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        String[] redrive = new String[args.length - 2];
        System.arraycopy(args, 2, redrive, 0, redrive.length);
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = Main.commandLine(Clock.systemUTC(), out, err).execute(redrive);
        out.flush();
        System.exit(code);
    }
}
