package io.ticksink.migrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scan stage: lists the archive's source files, {@code <input-dir>/<SYMBOL>/<file>}, sorted by
 * path. Files with names the migrator does not read are listed apart so the summary can name
 * them. Stateless, thread safe.
 */
final class SourceScanner {

    /** What a scan found. */
    record Scan(List<SourceFile> sources, List<Path> ignored) {
        long totalBytes() {
            return sources.stream().mapToLong(SourceFile::size).sum();
        }
    }

    Scan scan(Path inputDir) throws IOException {
        List<SourceFile> sources = new ArrayList<>();
        List<Path> ignored = new ArrayList<>();
        try (Stream<Path> walk = Files.find(inputDir, 2, (p, attrs) -> isFileBelowSymbolDir(inputDir, p, attrs))) {
            walk.sorted().forEach(p -> {
                SourceFormat format = SourceFormat.of(p.getFileName().toString());
                if (format == null || inputDir.relativize(p).getNameCount() != 2) {
                    ignored.add(p);
                    return;
                }
                try {
                    sources.add(new SourceFile(p, relative(inputDir, p), p.getParent().getFileName().toString(),
                            format, Files.size(p)));
                } catch (IOException e) {
                    // the reader reports it as unreadable, with the reason
                    sources.add(new SourceFile(p, relative(inputDir, p), p.getParent().getFileName().toString(),
                            format, 0));
                }
            });
        }
        return new Scan(List.copyOf(sources), List.copyOf(ignored));
    }

    /** Files outside a symbol directory are listed too, as ignored, so the operator hears of them. */
    private static boolean isFileBelowSymbolDir(Path inputDir, Path p, BasicFileAttributes attrs) {
        return attrs.isRegularFile();
    }

    static String relative(Path inputDir, Path file) {
        return inputDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
