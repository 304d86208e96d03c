package io.ticksink.tools;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data-dir} option every command takes. */
final class DataDirOption {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Directory holding YYYY/MM/ticks_YYYY-MM-DD.db.")
    Path dataDir;
}
