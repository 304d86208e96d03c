package io.ticksink.migrator;

import java.nio.file.Path;

/**
 * One file of the legacy archive, {@code <input-dir>/<SYMBOL>/<YYYY-MM-DD>.json} or a variant.
 * Immutable.
 *
 * @param path the file
 * @param relativePath its path below the input dir with {@code /} separators: the stream name
 *     and the ledger key, so it must not depend on where the archive is mounted
 * @param directorySymbol the parent directory's name, the symbol of records that carry none
 * @param format how to read it
 * @param size its size in bytes when scanned
 */
record SourceFile(Path path, String relativePath, String directorySymbol, SourceFormat format, long size) {
}
