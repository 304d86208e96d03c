package io.ticksink.migrator;

import java.util.Locale;

/**
 * How a source file is laid out, told by its name: a JSON array ({@code .json}, also read when it
 * holds a sequence of objects), or one object per line ({@code .jsonl}, {@code .ndjson}); each
 * optionally gzip-compressed ({@code .gz}). Pure, thread safe.
 *
 * @param lines one JSON object per line: a malformed line is rejected alone
 * @param gzip the file is gzip-compressed
 */
record SourceFormat(boolean lines, boolean gzip) {

    /** The format of a file name, or {@code null} when the migrator does not read such files. */
    static SourceFormat of(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        boolean gzip = name.endsWith(".gz");
        if (gzip) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".json")) {
            return new SourceFormat(false, gzip);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return new SourceFormat(true, gzip);
        }
        return null;
    }
}
