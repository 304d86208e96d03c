package io.ticksink.tools;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.ticksink.schema.DayFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
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
 * Compresses copies of day files to {@code <name>.db.zst} and decompresses them again. An archive
 * only takes the place of a file once it has been written to disk, decompressed again and found
 * byte-identical (SHA-256) to the copy; it appears under its final name by an atomic rename, so a
 * crash leaves either no archive or a verified one. Never opens a live day file: copies are made,
 * and restored archives merged, through SQLite ({@code DayMaintenance}). Thread safe; do not
 * archive one file from two threads.
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

    /** Where {@link #compress} wants the copy of a held day file: a name no reader lists. */
    static Path copyOf(Path dayFile) {
        return dayFile.resolveSibling(dayFile.getFileName() + SUFFIX + ".copy");
    }

    /**
     * Writes and verifies the archive of {@code dayFile} from {@code copy}, a consistent copy of
     * it made through SQLite (see {@code DayMaintenance.ExclusiveDay#copyTo}); never opens
     * {@code dayFile} itself, whose SQLite lock a descriptor closed here would drop. An archive
     * already there with the same content (a run interrupted before it removed the original) is
     * kept; one with other content is an error.
     *
     * @return the archive
     */
    Path compress(Path copy, Path dayFile) throws IOException {
        Path archive = archiveOf(dayFile);
        Path part = archive.resolveSibling(archive.getFileName() + PART);
        byte[] digest;
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(copy), sha256());
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
                throw new IOException("the archive " + part + " does not decompress to " + copy);
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

    /** The day file an archive belongs to. */
    static Path dayFileOf(Path archive) {
        String name = archive.getFileName().toString();
        return archive.resolveSibling(name.substring(0, name.length() - SUFFIX.length()));
    }

    /**
     * Decompresses an archive to {@code <archive>.restoring} (a name no reader lists), replacing
     * what a crashed run left there, and returns the SHA-256 of its content. Keeps the archive.
     */
    byte[] decompress(Path archive, Path restoring) throws IOException {
        deleteWithCompanions(restoring);
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(new ZstdInputStream(Files.newInputStream(archive)), sha)) {
            Files.copy(in, restoring);
        }
        return sha.digest();
    }

    static Path restoringOf(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".restoring");
    }

    /** Deletes a file this tool made (a copy, a decompressed archive) and the SQLite files beside it. */
    static void deleteWithCompanions(Path file) throws IOException {
        Files.deleteIfExists(file);
        for (String suffix : FileSizes.COMPANIONS) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
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
