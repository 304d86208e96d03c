package io.ticksink.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --data-dir DIR}, required and repeatable: the mixin ({@code @Mixin DataDirsOption data})
 * of the read commands, which read the union of several dirs (the dirs of several nodes).
 * Maintenance commands, which change a dir, take {@link DataDirOption} instead.
 */
public final class DataDirsOption {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = {"Directory holding YYYY/MM/ticks_YYYY-MM-DD.db.",
                    "Repeat to read the union of several dirs (one per node): each source record once, by its lineage "
                            + "(stream and position); rows without lineage (schema version 1) are all kept."})
    public List<Path> dataDirs;
}
