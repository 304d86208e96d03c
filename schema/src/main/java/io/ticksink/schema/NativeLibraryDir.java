package io.ticksink.schema;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where sqlite-jdbc extracts its native library, one directory per process, and the removal of
 * what processes that are gone left behind.
 *
 * <p>sqlite-jdbc copies its library (about 1 MB) into {@code org.sqlite.tmpdir} as
 * {@code sqlite-<version>-<uuid>-libsqlitejdbc.so} with an empty {@code .lck} file beside it, and
 * asks the JVM to delete both on exit; its own clean-up at start removes only copies that have no
 * {@code .lck}. A process killed with SIGKILL, or ended by {@code Runtime.halt}, deletes nothing,
 * so each one leaves a copy and its lock behind for good. Here each process extracts into a
 * directory of its own, {@code ticksink-<pid>-<start>@<host>} (its pid, its start time in epoch
 * milliseconds, the host name), inside a base directory: {@code -Dorg.sqlite.tmpdir} when the
 * operator gives it, else {@code <java.io.tmpdir>/ticksink-native-<user>}.
 *
 * <p>{@link #prepare()} creates that directory, points {@code org.sqlite.tmpdir} at it, and
 * removes the directories in the base whose process is gone: no process has the pid any more, or
 * the one that has it started at another time (the pid was reused). It removes nothing else: not a
 * directory of a live process (whatever stage of its start it is in), nor one named for another
 * host (a base shared by hosts or containers), nor one owned by another user, nor anything not
 * named as above. Several processes may start at once: each creates its own directory before it
 * looks at the others', and two of them removing the same dead directory both succeed.
 *
 * <p>Thread safe; {@link #prepare()} acts once per JVM and is cheap after that.
 */
public final class NativeLibraryDir {

    /** The system property sqlite-jdbc reads. */
    public static final String PROPERTY = "org.sqlite.tmpdir";
    /** Start times closer than this are taken as the same process's (a conservative margin: it keeps, never removes). */
    static final Duration SAME_START = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(NativeLibraryDir.class);
    private static final Pattern NAME = Pattern.compile("ticksink-(\\d+)-(\\d+|x)@([A-Za-z0-9._-]+)");
    private static Path prepared;

    private NativeLibraryDir() {
    }

    /** A process as its directory names it: pid, start time (empty when the OS does not tell it) and host. */
    record Owner(long pid, Optional<Instant> started, String host) {

        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), self.info().startInstant(), hostName());
        }

        String dirName() {
            return "ticksink-" + pid + "-" + started.map(s -> Long.toString(s.toEpochMilli())).orElse("x") + "@" + host;
        }

        /** The owner a directory name gives, or empty when the name is not one of ours. */
        static Optional<Owner> of(String dirName) {
            Matcher m = NAME.matcher(dirName);
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                Optional<Instant> started = m.group(2).equals("x") ? Optional.empty()
                        : Optional.of(Instant.ofEpochMilli(Long.parseLong(m.group(2))));
                return Optional.of(new Owner(Long.parseLong(m.group(1)), started, m.group(3)));
            } catch (NumberFormatException e) {
                return Optional.empty(); // digits beyond a long: not a name we wrote
            }
        }
    }

    /** What the process table says of a pid: whether a process has it, and when that one started, if known. */
    record Seen(boolean alive, Optional<Instant> started) {
        static final Seen NONE = new Seen(false, Optional.empty());
    }

    /** Looks a pid up in the process table. */
    @FunctionalInterface
    interface ProcessTable {
        Seen look(long pid);

        /** This OS's process table, as {@link ProcessHandle} sees it. */
        ProcessTable SYSTEM = pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> new Seen(true, h.info().startInstant())).orElse(Seen.NONE);
    }

    /**
     * Whether the process that owns a directory is gone: no process has its pid, or the process
     * that has it started at another time. A live pid whose start time either side does not know
     * counts as the owner, still running.
     */
    static boolean gone(Owner owner, Seen now) {
        if (!now.alive()) {
            return true;
        }
        if (owner.started().isEmpty() || now.started().isEmpty()) {
            return false;
        }
        Duration apart = Duration.between(owner.started().get(), now.started().get()).abs();
        return apart.compareTo(SAME_START) > 0;
    }

    /**
     * Makes this process's directory for the native library, points {@value #PROPERTY} at it and
     * removes the directories of processes that are gone. When the base directory cannot be made,
     * logs why and leaves {@value #PROPERTY} as it was (sqlite-jdbc then reports its own failure).
     *
     * @return the directory the library is extracted to (from the first call on, the same one)
     */
    public static synchronized Path prepare() {
        if (prepared != null) {
            return prepared;
        }
        Path base = base(System.getProperty(PROPERTY), System.getProperty("java.io.tmpdir"), System.getProperty("user.name"));
        try {
            prepared = prepareIn(base, Owner.current(), ProcessTable.SYSTEM);
            // registered before sqlite-jdbc registers its files: the JVM deletes in reverse order, so the files go first
            prepared.toFile().deleteOnExit();
            System.setProperty(PROPERTY, prepared.toString());
        } catch (IOException e) {
            log.warn("cannot make a directory for the SQLite native library in {}: {}", base, e.toString());
            prepared = base;
        }
        return prepared;
    }

    /**
     * Deletes this process's directory now, for a process about to end by {@code Runtime.halt},
     * which skips the JVM's delete-on-exit. A library already loaded stays mapped and working.
     */
    public static synchronized void release() {
        if (prepared != null && Owner.of(prepared.getFileName().toString()).isPresent()) {
            deleteTree(prepared);
        }
    }

    /** The base directory: the operator's {@value #PROPERTY}, else one per user in the temp dir. */
    static Path base(String configured, String tmpDir, String user) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String safeUser = user == null ? "unknown" : user.replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(tmpDir, "ticksink-native-" + safeUser);
    }

    /** Creates {@code self}'s directory in {@code base}, then removes the dead ones; returns {@code self}'s. */
    static Path prepareIn(Path base, Owner self, ProcessTable processes) throws IOException {
        Files.createDirectories(base);
        Path own = base.resolve(self.dirName());
        try {
            if (own.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(own, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(own);
            }
        } catch (FileAlreadyExistsException e) {
            // this process's own, from an earlier call in this JVM
        }
        Removed removed = removeDead(base, self.host(), ownerOf(own), processes);
        if (removed.dirs() > 0) {
            log.info("removed {} native library director{} ({} KB) left in {} by processes that are gone",
                    removed.dirs(), removed.dirs() == 1 ? "y" : "ies", removed.bytes() / 1024, base);
        }
        return own;
    }

    /** What a clean-up removed. */
    record Removed(int dirs, long bytes) {
    }

    /**
     * Removes the directories in {@code base} named for a process of {@code host} that is gone and
     * owned by {@code user} (any owner when {@code user} is null). Tolerates other processes
     * removing the same directories at the same time.
     */
    static Removed removeDead(Path base, String host, UserPrincipal user, ProcessTable processes) throws IOException {
        int dirs = 0;
        long bytes = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base)) {
            for (Path dir : entries) {
                Optional<Owner> owner = Owner.of(dir.getFileName().toString());
                if (owner.isEmpty() || !owner.get().host().equals(host)
                        || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || (user != null && !user.equals(ownerOf(dir)))
                        || !gone(owner.get(), processes.look(owner.get().pid()))) {
                    continue;
                }
                long size = deleteTree(dir);
                if (size >= 0) {
                    dirs++;
                    bytes += size;
                }
            }
        }
        return new Removed(dirs, bytes);
    }

    private static UserPrincipal ownerOf(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // gone meanwhile, or no owners on this file system: the name alone decides
        }
    }

    /** Deletes a directory tree without following links; returns the bytes freed, or -1 when something stayed. */
    private static long deleteTree(Path dir) {
        AtomicLong bytes = new AtomicLong();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (Files.deleteIfExists(file)) { // another process may remove the same dead directory
                        bytes.addAndGet(attrs.size());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
            return bytes.get();
        } catch (NoSuchFileException e) {
            return bytes.get(); // removed by another process meanwhile
        } catch (IOException e) {
            log.debug("cannot remove {} yet: {}", dir, e.toString());
            return -1;
        }
    }

    /** The host name without a DNS look-up (which can take seconds where DNS is broken). */
    static String hostName() {
        String name = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                name = Files.readString(kernel).trim();
            }
        } catch (IOException e) {
            // fall back to the environment
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv("COMPUTERNAME");
        }
        if (name == null || name.isEmpty()) {
            name = "localhost";
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.length() > 64 ? safe.substring(0, 64) : safe;
    }
}
