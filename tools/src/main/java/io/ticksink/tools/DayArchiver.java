package io.ticksink.tools;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.ticksink.schema.DayFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Compresses day files to {@code <name>.db.zst} and back. An archive only takes the place of a
 * file once it has been written to disk, decompressed again and found byte-identical (SHA-256)
 * to the original; it appears under its final name by an atomic rename, so a crash leaves either
 * no archive or a verified one. The caller must keep writers off the file meanwhile. Thread
 * safe; do not archive one file from two threads.
 */
final class DayArchiver {

    static final String SUFFIX = ".zst";
    private static final String PART = ".part";

    private final int level;

    DayArchiver(int level) {
        this.level = level;
    }

    static Path archiveOf(Path dayFile) {
        return dayFile.resolveSibling(dayFile.getFileName() + SUFFIX);
    }

    /** The day an archive belongs to, or {@code null} when the name is not a day archive's. */
    static LocalDate dayOfArchive(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".db" + SUFFIX) ? DayFiles.dayOf(file.resolveSibling(name.substring(0, name.length() - SUFFIX.length()))) : null;
    }

    /** Every day archive under the data dir, sorted by name. */
    static List<Path> listArchives(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        List<Path> archives = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dataDir, 3)) {
            walk.filter(Files::isRegularFile).filter(p -> dayOfArchive(p) != null).forEach(archives::add);
        }
        archives.sort(null);
        return archives;
    }

    /**
     * Writes and verifies the archive of {@code dayFile}; leaves {@code dayFile} in place. An
     * archive already there with the same content (a run interrupted before it removed the
     * original) is kept; one with other content is an error.
     *
     * @return the archive
     */
    Path compress(Path dayFile) throws IOException {
        Path archive = archiveOf(dayFile);
        Path part = archive.resolveSibling(archive.getFileName() + PART);
        byte[] digest;
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(dayFile), sha256());
             OutputStream raw = Files.newOutputStream(part);
             ZstdOutputStream out = new ZstdOutputStream(raw, level)) {
            out.setChecksum(true);
            in.transferTo(out);
            digest = in.getMessageDigest().digest();
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        try {
            force(part);
            if (!Arrays.equals(digest, contentDigest(part))) {
                throw new IOException("the archive " + part + " does not decompress to " + dayFile);
            }
            if (Files.exists(archive)) {
                if (!Arrays.equals(digest, contentDigest(archive))) {
                    throw new IOException(archive + " already exists with other content; move one of them away");
                }
                Files.delete(part);
                return archive;
            }
            Files.move(part, archive, StandardCopyOption.ATOMIC_MOVE);
            force(archive.getParent());
            return archive;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Decompresses an archive to its day file, which must not exist; keeps the archive. */
    Path restore(Path archive) throws IOException {
        String name = archive.getFileName().toString();
        Path dayFile = archive.resolveSibling(name.substring(0, name.length() - SUFFIX.length()));
        if (Files.exists(dayFile)) {
            throw new FileAlreadyExistsException(dayFile + " exists; move it away to restore " + archive);
        }
        Path part = archive.resolveSibling(name + ".restoring");
        try {
            try (InputStream in = new ZstdInputStream(Files.newInputStream(archive));
                 OutputStream out = Files.newOutputStream(part)) {
                in.transferTo(out);
            }
            force(part);
            Files.move(part, dayFile, StandardCopyOption.ATOMIC_MOVE);
            force(dayFile.getParent());
            return dayFile;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** SHA-256 of what an archive decompresses to; zstd's own frame checksum is verified on the way. */
    static byte[] contentDigest(Path archive) throws IOException {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new ZstdInputStream(Files.newInputStream(archive))) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return sha.digest();
    }

    private static void force(Path path) throws IOException {
        // fsync a file so it survives a power loss, or a directory so a rename does
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
