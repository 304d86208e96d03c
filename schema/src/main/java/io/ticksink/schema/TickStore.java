package io.ticksink.schema;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily databases under one data dir, kept open across writes in a bounded cache: the least
 * recently used file is closed when more than {@link StoreOptions#maxOpenFiles()} are open, and
 * {@link #closeIdle(Duration)} closes files nobody wrote for a while.
 *
 * <p>Thread safe. Writes to one day are serialised; writes to different days may run in parallel.
 */
public final class TickStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TickStore.class);

    private final Path dataDir;
    private final StoreOptions options;
    private final Map<LocalDate, DayDatabase> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    public TickStore(Path dataDir, StoreOptions options) {
        this.dataDir = dataDir;
        this.options = options;
    }

    public Path dataDir() {
        return dataDir;
    }

    public StoreOptions options() {
        return options;
    }

    /** The file a day is stored in. */
    public Path fileOf(LocalDate day) {
        return DayFiles.path(dataDir, day);
    }

    /**
     * Stores chunks of one day in one transaction; see {@link DayDatabase#write(Collection)}.
     * Idempotent per stream position. On failure nothing of the chunks was stored.
     */
    public WriteResult write(LocalDate day, Collection<StreamChunk> chunks) throws StoreException {
        while (true) {
            DayDatabase db = acquire(day);
            synchronized (db) {
                if (db.isClosed()) {
                    // closed by eviction between acquire and lock, or left closed by a failed
                    // write: forget it (a no-op when evicted) so the next acquire opens it again
                    forget(day, db);
                    continue;
                }
                try {
                    return db.write(chunks);
                } catch (Throwable e) {
                    // any failure, an Error too, closed the database; forget it so the next
                    // attempt reopens instead of finding a closed instance in the cache
                    forget(day, db);
                    throw e;
                }
            }
        }
    }

    /** The next stored position of every stream in one day file, or an empty map when the file does not exist. */
    public Map<String, Long> positions(LocalDate day) throws StoreException {
        if (!java.nio.file.Files.exists(fileOf(day))) {
            return Map.of();
        }
        while (true) {
            DayDatabase db = acquire(day);
            synchronized (db) {
                if (!db.isClosed()) {
                    return db.positions();
                }
                forget(day, db); // a closed instance is never looped on: the next acquire reopens
            }
        }
    }

    private DayDatabase acquire(LocalDate day) throws StoreException {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the store is closed");
            }
            DayDatabase db = open.get(day);
            if (db != null) {
                return db;
            }
        }
        // open outside the store lock: opening can wait on another process's lock
        DayDatabase fresh = DayDatabase.open(fileOf(day), options);
        List<DayDatabase> evicted = new ArrayList<>();
        DayDatabase result;
        synchronized (this) {
            DayDatabase raced = open.get(day);
            if (raced != null || closed) {
                evicted.add(fresh);
                result = raced;
            } else {
                open.put(day, fresh);
                result = fresh;
                Iterator<Map.Entry<LocalDate, DayDatabase>> it = open.entrySet().iterator();
                while (open.size() > options.maxOpenFiles() && it.hasNext()) {
                    Map.Entry<LocalDate, DayDatabase> eldest = it.next();
                    evicted.add(eldest.getValue());
                    it.remove();
                }
            }
        }
        closeAll(evicted);
        if (result == null) {
            throw new IllegalStateException("the store is closed");
        }
        return result;
    }

    private synchronized void forget(LocalDate day, DayDatabase db) {
        open.remove(day, db);
    }

    /** Closes the files not written for {@code idle}; returns how many were closed. */
    public int closeIdle(Duration idle) {
        long cutoff = System.nanoTime() - idle.toNanos();
        List<DayDatabase> idleFiles = new ArrayList<>();
        synchronized (this) {
            open.values().removeIf(db -> {
                if (db.lastUsedNanos() - cutoff < 0) {
                    idleFiles.add(db);
                    return true;
                }
                return false;
            });
        }
        closeAll(idleFiles);
        return idleFiles.size();
    }

    /** How many day files are open now. */
    public synchronized int openFiles() {
        return open.size();
    }

    private static void closeAll(List<DayDatabase> dbs) {
        for (DayDatabase db : dbs) {
            synchronized (db) {
                log.debug("closing {}", db.file());
                db.close();
            }
        }
    }

    @Override
    public void close() {
        List<DayDatabase> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(open.values());
            open.clear();
        }
        closeAll(all);
    }
}
