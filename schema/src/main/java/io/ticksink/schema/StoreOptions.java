package io.ticksink.schema;

import java.time.Duration;

/**
 * How day databases are opened.
 *
 * @param synchronous SQLite's {@code synchronous} setting in WAL mode. {@code FULL} syncs the WAL
 *     on every commit, so a committed batch survives a power loss; {@code NORMAL} syncs only at
 *     checkpoints, so a power loss can roll back the last commits (an application crash cannot)
 * @param busyTimeout how long SQLite itself waits for another connection's lock before the
 *     write fails as retriable
 * @param walAutocheckpointPages WAL pages after which a commit checkpoints
 * @param cacheSizeKib page cache per connection
 * @param maxOpenFiles day databases kept open at once; the least recently used is closed
 */
public record StoreOptions(
        Synchronous synchronous,
        Duration busyTimeout,
        int walAutocheckpointPages,
        int cacheSizeKib,
        int maxOpenFiles) {

    public enum Synchronous { OFF, NORMAL, FULL }

    public StoreOptions {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles must be at least 1");
        }
    }

    /** FULL durability: what the consumer needs, since it commits Kafka offsets after each write. */
    public static StoreOptions defaults() {
        return new StoreOptions(Synchronous.FULL, Duration.ofSeconds(5), 10_000, 64 * 1024, 16);
    }

    public StoreOptions withSynchronous(Synchronous value) {
        return new StoreOptions(value, busyTimeout, walAutocheckpointPages, cacheSizeKib, maxOpenFiles);
    }

    public StoreOptions withBusyTimeout(Duration value) {
        return new StoreOptions(synchronous, value, walAutocheckpointPages, cacheSizeKib, maxOpenFiles);
    }

    public StoreOptions withMaxOpenFiles(int value) {
        return new StoreOptions(synchronous, busyTimeout, walAutocheckpointPages, cacheSizeKib, value);
    }
}
