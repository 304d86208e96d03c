package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoredPositions;
import io.ticksink.schema.StreamChunk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which day files of the data dirs hold which stretch of each audited partition's offsets: per
 * file and stream, the least and greatest position stored, read once before the audit (one pass
 * over each file's rows, with the memory of one entry per stream and file). Files are skipped
 * without reading a row when their {@code stream_positions} say they hold nothing at or above
 * the first offset audited.
 *
 * <p>Rows are audited only as the current incarnation of the topic: a file whose stream
 * fingerprint names another topic id (the topic was deleted and created again since) is left out,
 * and said so in a note.
 */
final class StoreLineage {

    private final Map<Integer, List<StoredCopies.FileRange>> files = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();

    private StoreLineage() {
    }

    /**
     * @param from per partition, the first offset that may be audited: a file holding nothing at
     *     or above it is not read
     */
    static StoreLineage read(List<Path> dataDirs, String topic, Set<Integer> partitions, String topicId,
                             Map<Integer, Long> from) throws IOException, StoreException {
        StoreLineage lineage = new StoreLineage();
        int withoutLineage = 0;
        Map<Integer, List<String>> otherIncarnation = new TreeMap<>();
        Map<Integer, String> wentBack = new TreeMap<>();
        for (Path dir : dataDirs) {
            for (Path file : DayFiles.list(dir)) {
                LocalDate day = DayFiles.dayOf(file);
                Map<String, StoredPositions.Stream> declared = StoredPositions.declared(file);
                if (declared.isEmpty()) {
                    withoutLineage += StoredPositions.hasLineage(file) ? 0 : 1;
                    continue;
                }
                boolean needed = false;
                for (int p : partitions) {
                    StoredPositions.Stream s = declared.get(StreamChunk.kafkaStream(topic, p));
                    if (s != null && (s.nextPosition() < 0 || s.nextPosition() > from.getOrDefault(p, 0L))) {
                        needed = true;
                    }
                }
                if (!needed) {
                    continue;
                }
                Map<String, StoredPositions.Stream> scanned = StoredPositions.scan(file);
                for (int p : partitions) {
                    StoredPositions.Stream s = scanned.get(StreamChunk.kafkaStream(topic, p));
                    if (s == null || s.rows() == 0) {
                        continue;
                    }
                    String storedId = s.fingerprint() == null ? null : topicIdOf(s.fingerprint());
                    if (storedId != null && !storedId.equals(topicId) && !storedId.equals("null")) {
                        otherIncarnation.computeIfAbsent(p, k -> new ArrayList<>()).add(file + " (topic id " + storedId + ")");
                        continue;
                    }
                    if (s.fingerprint() != null && s.fingerprint().indexOf('#') >= 0) {
                        wentBack.putIfAbsent(p, file + " (" + s.fingerprint() + ")");
                    }
                    lineage.files.computeIfAbsent(p, k -> new ArrayList<>())
                            .add(new StoredCopies.FileRange(file, day, s.min(), s.max()));
                }
            }
        }
        int archived = 0;
        for (Path dir : dataDirs) {
            archived += DayArchiver.listArchives(dir).size();
        }
        if (archived > 0) {
            lineage.notes.add("NOTE       " + archived + " archived day file(s) (" + DayArchiver.SUFFIX + ") are not read: "
                    + "their records show as missing; restore them first, or audit from a later offset");
        }
        if (withoutLineage > 0) {
            lineage.notes.add("NOTE       " + withoutLineage + " day file(s) of schema version 1 have no lineage: their rows "
                    + "are not audited");
        }
        otherIncarnation.forEach((p, list) -> lineage.notes.add("NOTE       " + list.size() + " day file(s) hold " + topic + "-"
                + p + " of an earlier incarnation of the topic (now topic id " + topicId + "), not audited, e.g. "
                + list.get(0)));
        wentBack.forEach((p, example) -> lineage.notes.add("NOTE       offsets of " + topic + "-" + p + " went back under "
                + "this topic id (e.g. " + example + "): rows of the earlier offsets may show as duplicated or misplaced"));
        return lineage;
    }

    /** The topic id of a Kafka stream's fingerprint: the part before an incarnation mark {@code #<n>@<offset>}. */
    static String topicIdOf(String fingerprint) {
        int mark = fingerprint.indexOf('#');
        return mark < 0 ? fingerprint : fingerprint.substring(0, mark);
    }

    /** The day files holding a partition's stream, with the range of positions each holds. */
    List<StoredCopies.FileRange> files(int partition) {
        return files.getOrDefault(partition, List.of());
    }

    /** The least and greatest position of a partition in the files of one day, or {-1, -1} when none. */
    long[] positionsOfDay(int partition, LocalDate day) {
        long min = -1;
        long max = -1;
        for (StoredCopies.FileRange f : files(partition)) {
            if (day.equals(f.day())) {
                min = min < 0 ? f.min() : Math.min(min, f.min());
                max = Math.max(max, f.max());
            }
        }
        return new long[] {min, max};
    }

    List<String> notes() {
        return notes;
    }
}
