package io.ticksink.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Sizes of a day file with its SQLite companions ({@code -wal}, {@code -shm}, {@code -journal}). */
final class FileSizes {

    static final String[] COMPANIONS = {"-wal", "-shm", "-journal"};

    private FileSizes() {
    }

    static long withCompanions(Path file) throws IOException {
        long total = Files.size(file);
        for (String suffix : COMPANIONS) {
            Path companion = file.resolveSibling(file.getFileName() + suffix);
            try {
                total += Files.size(companion);
            } catch (NoSuchFileException e) {
                // none, or a writer's last connection just removed it
            }
        }
        return total;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
