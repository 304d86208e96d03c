package io.ticksink.migrator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Identifies a source file's content: its size and the CRC32C of its raw bytes, as
 * {@code <size>:<crc32c hex>}. CRC32C runs at memory speed (hardware instruction), so reading the
 * file once more costs little next to parsing it. Stateless, thread safe.
 */
final class SourceFingerprint {

    private SourceFingerprint() {
    }

    static String of(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                crc.update(buffer, 0, n);
                size += n;
            }
        }
        return format(size, crc.getValue());
    }

    static String format(long size, long crc) {
        return size + ":" + String.format("%08x", crc);
    }
}
