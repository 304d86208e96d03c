package io.ticksink.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --data-dir DIR}, once and required: the mixin ({@code @Mixin DataDirOption data}) of
 * the commands that change one data dir. Read commands take {@link DataDirsOption}.
 */
public final class DataDirOption {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Directory holding YYYY/MM/ticks_YYYY-MM-DD.db.")
    public Path dataDir;
}
