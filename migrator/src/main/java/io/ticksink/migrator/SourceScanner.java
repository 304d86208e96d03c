package io.ticksink.migrator;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scan stage: lists the archive's source files, {@code <input-dir>/<SYMBOL>/<file>}, sorted by
 * name. Files with names the migrator does not read are listed apart so the summary can name them.
 *
 * <p>Symbolic links are followed, to symbol directories and to files, inside the archive or out of
 * it. A source file is named (its stream name and ledger key) by its real path below the real
 * input dir when it is a {@code <SYMBOL>/<file>} there, else by the first path, in name order,
 * that reaches it; a file reached through several paths is loaded once, under that name, and the
 * other paths are listed as skipped. A link to a directory above it (a cycle) is not followed
 * and is listed as skipped. A link that leads nowhere is listed as a source file, which then
 * cannot be read and is reported broken. Stateless, thread safe.
 */
final class SourceScanner {

    /**
     * What a scan found.
     *
     * @param sources the files to load, each once
     * @param ignored files that are not {@code <SYMBOL>/<file>.json}, {@code .jsonl} or {@code .ndjson}
     * @param skippedLinks paths not loaded because of symbolic links: a second path to a file, a cycle
     * @param linkedSources how many of the sources were reached through a symbolic link
     */
    record Scan(List<SourceFile> sources, List<Path> ignored, List<Skipped> skippedLinks, int linkedSources) {
        long totalBytes() {
            return sources.stream().mapToLong(SourceFile::size).sum();
        }
    }

    /** A path below the input dir that is not loaded, and why. */
    record Skipped(String path, String reason) {
    }

    /** A source file as found, before files reached twice are merged. */
    private record Found(Path path, String logical, String name, String symbol, SourceFormat format, long size,
                         Object identity, boolean linked) {
    }

    Scan scan(Path inputDir) throws IOException {
        Path realInput = inputDir.toRealPath();
        List<Found> found = new ArrayList<>();
        List<Path> ignored = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Files.walkFileTree(inputDir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), 2, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
                if (attrs.isDirectory()) {
                    return FileVisitResult.CONTINUE; // a directory below a symbol directory is not read
                }
                SourceFormat format = SourceFormat.of(p.getFileName().toString());
                if (format == null || inputDir.relativize(p).getNameCount() != 2) {
                    ignored.add(p);
                    return FileVisitResult.CONTINUE;
                }
                found.add(describe(inputDir, realInput, p, attrs, format));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    skipped.add(new Skipped(relative(inputDir, p),
                            "a symbolic link to a directory above it (a cycle): not followed"));
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        // of the paths to one file, its own path (not through a link) is kept where there is one
        found.sort(Comparator.comparing(Found::name).thenComparing(Found::linked).thenComparing(Found::logical));
        Map<Object, Found> first = new LinkedHashMap<>();
        List<SourceFile> sources = new ArrayList<>();
        int linked = 0;
        for (Found f : found) {
            Found kept = first.putIfAbsent(f.identity(), f);
            if (kept != null) {
                skipped.add(new Skipped(f.logical(), "the same file as " + kept.name() + ": loaded once, as that"));
                continue;
            }
            sources.add(new SourceFile(f.path(), f.name(), f.symbol(), f.format(), f.size()));
            if (f.linked()) {
                linked++;
            }
        }
        ignored.sort(null);
        skipped.sort(Comparator.comparing(Skipped::path));
        return new Scan(List.copyOf(sources), List.copyOf(ignored), List.copyOf(skipped), linked);
    }

    private static Found describe(Path inputDir, Path realInput, Path p, BasicFileAttributes attrs,
                                  SourceFormat format) {
        String logical = relative(inputDir, p);
        String symbol = p.getParent().getFileName().toString();
        if (attrs.isSymbolicLink()) {
            // a link that leads nowhere: listed, so that reading it reports the file as broken
            return new Found(p, logical, logical, symbol, format, 0, p.toAbsolutePath().normalize(), true);
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            return new Found(p, logical, logical, symbol, format, attrs.size(), p.toAbsolutePath().normalize(), false);
        }
        String name = logical;
        if (real.startsWith(realInput) && realInput.relativize(real).getNameCount() == 2) {
            // its place in the archive names it, whatever path reached it
            name = relative(realInput, real);
            symbol = real.getParent().getFileName().toString();
        }
        Object identity = attrs.fileKey() != null ? attrs.fileKey() : real;
        boolean linked = !real.equals(realInput.resolve(logical));
        return new Found(p, logical, name, symbol, format, attrs.size(), identity, linked);
    }

    static String relative(Path inputDir, Path file) {
        return inputDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
