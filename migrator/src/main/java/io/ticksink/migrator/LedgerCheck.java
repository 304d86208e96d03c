package io.ticksink.migrator;

import io.ticksink.schema.MigrationLedger;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.TickStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Check stage, before any file is parsed: the ledger is held against the day files. The ledger
 * lists, per loaded file and day file, the file's stream position that day file held once the file
 * was loaded. A day file holding less lost commits the ledger did not (a power loss with
 * {@code synchronous=NORMAL}, a day file restored from an older copy): its files are
 * {@linkplain MigrationLedger#markForReload marked for reload}, so this run parses them again and
 * the day files store what they lack, and nothing twice (positions and rows commit together, so a
 * day file holding a position holds every row below it).
 *
 * <p>One read of {@code stream_positions} per day file the ledger names. A day file that only
 * exists as a retention archive ({@code .db.zst}) cannot be read here; its entries are trusted
 * (retention archives a day only after a checkpoint made it durable). A day file that cannot be
 * read now (locked past the busy timeout) is not trusted either: its files load again. A corrupt
 * one stops the run. Not thread safe; run once.
 */
final class LedgerCheck {

    private static final Logger log = LoggerFactory.getLogger(LedgerCheck.class);

    private final MigrationLedger ledger;
    private final TickStore store;

    LedgerCheck(MigrationLedger ledger, TickStore store) {
        this.ledger = ledger;
        this.store = store;
    }

    /** Marks the entries the day files do not bear out for reload; returns how many. */
    int run() throws StoreException {
        Set<String> reload = new LinkedHashSet<>();
        ledger.forEachDay((day, expected) -> check(day, expected, reload));
        ledger.markForReload(reload);
        return reload.size();
    }

    private void check(LocalDate day, Map<String, Long> expected, Set<String> reload) throws StoreException {
        Path file = store.fileOf(day);
        Map<String, Long> held;
        if (Files.exists(file)) {
            try {
                held = store.positions(day);
            } catch (StoreException.Retriable e) {
                // busy past the busy timeout, or unreadable for now: what cannot be checked is not
                // trusted; loading the files again waits for the day file as every write does
                log.warn("cannot read the stream positions of {} ({}): its {} listed files load again",
                        file, e.getMessage(), expected.size());
                reload.addAll(expected.keySet());
                return;
            }
        } else if (Files.exists(file.resolveSibling(file.getFileName() + ".zst"))) {
            log.info("{} is archived; the ledger's entries for that day are trusted", file);
            return;
        } else {
            held = Map.of();
        }
        for (Map.Entry<String, Long> entry : expected.entrySet()) {
            long has = held.getOrDefault(StreamChunk.fileStream(entry.getKey()), 0L);
            if (has < entry.getValue() && reload.add(entry.getKey())) {
                log.warn("{} is listed as loaded, but {} holds its records only below position {}, not {} (commits "
                        + "lost, e.g. to a power loss): loading it again", entry.getKey(), file, has, entry.getValue());
            }
        }
    }
}
