package io.ticksink.tools;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --data-dir} option of the read commands, which may be given more than once to read
 * the union of several dirs (the dirs of several nodes). Maintenance commands, which change a
 * dir, take {@link DataDirOption} instead.
 */
final class DataDirsOption {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = {"Directory holding YYYY/MM/ticks_YYYY-MM-DD.db.",
                    "Repeat to read the union of several dirs (one per node): each source record once, by its lineage "
                            + "(stream and position); rows without lineage (schema version 1) are all kept."})
    List<Path> dataDirs;
}
