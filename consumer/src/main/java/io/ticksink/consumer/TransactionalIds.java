package io.ticksink.consumer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The dead-letter producer's {@code transactional.id}: {@code ticksink-dlq.<group>.<node>.<slot>}.
 * The node is a random id kept in {@code <data-dir>/.ticksink-node} (made on first start), so it
 * stays with the data dir whatever the host is called; the slot is the lowest {@code
 * <data-dir>/.ticksink-member-<slot>.lock} no live process holds, so several consumers on one data
 * dir never share an id. A member restarted on its data dir after a crash takes the slot its
 * predecessor held (the OS released its lock), and so the same id: the producer's
 * {@code initTransactions} then aborts the transaction the predecessor left open and fences it.
 * The lock is held until {@link #close()}.
 */
final class TransactionalIds implements AutoCloseable {

    static final String NODE_FILE = ".ticksink-node";
    private static final int MAX_SLOTS = 1024;

    private final String id;
    private final FileChannel channel;
    private final FileLock lock;

    private TransactionalIds(String id, FileChannel channel, FileLock lock) {
        this.id = id;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes a slot in the data dir for this process. */
    static TransactionalIds claim(Path dataDir, String group) throws IOException {
        String node = node(dataDir);
        for (int slot = 0; slot < MAX_SLOTS; slot++) {
            Path file = dataDir.resolve(".ticksink-member-" + slot + ".lock");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM (a second consumer in one process, as tests run it)
            }
            if (lock != null) {
                return new TransactionalIds("ticksink-dlq." + group + "." + node + "." + slot, channel, lock);
            }
            channel.close();
        }
        throw new IOException("more than " + MAX_SLOTS + " consumers on " + dataDir + " at once");
    }

    /** The data dir's node id, made once. */
    private static String node(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NODE_FILE);
        if (!Files.exists(file)) {
            Path made = Files.createTempFile(dataDir, NODE_FILE, ".tmp");
            Files.writeString(made, UUID.randomUUID().toString().substring(0, 8) + "\n", StandardCharsets.UTF_8);
            try {
                Files.createLink(file, made); // atomic, and fails when another consumer was first
            } catch (FileAlreadyExistsException e) {
                // the other consumer's id stands
            } finally {
                Files.delete(made);
            }
        }
        String node = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!node.matches("[0-9a-zA-Z_-]{1,64}")) {
            throw new IOException(file + " does not hold a node id: " + node);
        }
        return node;
    }

    String id() {
        return id;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases the lock with the process
        }
    }
}
