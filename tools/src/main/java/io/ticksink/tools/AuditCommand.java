package io.ticksink.tools;

import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.PositionIndex;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code audit}: proves, record by record through lineage, that each committed record of a range
 * of a topic is stored exactly once in the day files of the data dirs (their union), in the day
 * file of its tick's UTC day, or is in the dead-letter topic; prints the coordinates of every
 * record missing, stored twice or misplaced, and of every stored copy at an offset without a
 * committed record, then a summary per partition. Exit 0 only when nothing was found.
 *
 * <p>Memory stays flat however long the range: each partition is read in offset order and
 * merge-joined with the stored positions of its stream, read in position order from each day file
 * by a cursor opened when the offsets reach the file's least position ({@link StoredCopies}), and
 * with the partition's dead letters, first collected into a scratch SQLite file ({@link
 * DeadLetterIndex}). Reads only: day files are opened read-only and may be written meanwhile (a
 * range still being written shows as missing).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Prove that every committed record of a topic (a range of it) is stored exactly once in the day files "
                + "of the --data-dir dirs, in the file of its tick's day, or is in the dead-letter topic.",
                "Prints MISSING, DUPLICATE, MISPLACED and UNEXPECTED lines with the records' coordinates, then a summary; "
                        + "exit 0 only when nothing was found. Run it before deleting a topic's old segments, and after an incident."})
final class AuditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "The Kafka cluster.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The ticks topic to audit.")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Audit up to this consumer group's committed offsets (a partition without one: nothing). "
                    + "Default: up to the end offsets as committed now (the last stable offsets).")
    String group;

    @Option(names = "--partition", paramLabel = "P", description = "Audit only this partition (repeatable). Default: all.")
    List<Integer> partitions;

    @ArgGroup(exclusive = true)
    Start start;

    static final class Start {
        @Option(names = "--from-offset", paramLabel = "N",
                description = "Audit each partition from this offset (or its log start, if later). Default: the log start.")
        Long fromOffset;

        @Option(names = "--day", paramLabel = "YYYY-MM-DD",
                description = "Audit only the records whose ticks are of this UTC day (see --lateness).")
        LocalDate day;
    }

    @Option(names = "--lateness", defaultValue = "1h", converter = Durations.class, paramLabel = "DURATION",
            description = "With --day: the records read are those the broker timestamped from this long before the day "
                    + "to this long after it, and every offset the day's files hold. Default: ${DEFAULT-VALUE}.")
    Duration lateness;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = {"Directory holding YYYY/MM/ticks_YYYY-MM-DD.db.",
                    "Repeat to audit the union of several dirs (one per node): a record stored in two of them is stored twice."})
    List<Path> dataDirs;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", description = "The dead-letter topic. Default: <topic>.dlq.")
    String dlqTopic;

    @Option(names = "--max-open-files", defaultValue = "64", paramLabel = "N",
            description = "The most day files read at once for one partition (each holds a cursor, about 1 MB). "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxOpenFiles;

    @Option(names = "--timeout", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to wait for Kafka to answer or to deliver the next records. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A Kafka client property, repeatable (e.g. security.protocol=SASL_SSL).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        if (maxOpenFiles < 1) {
            throw new ParameterException(spec.commandLine(), "--max-open-files must be at least 1, is " + maxOpenFiles);
        }
        if (start != null && start.fromOffset != null && start.fromOffset < 0) {
            throw new ParameterException(spec.commandLine(), "--from-offset must not be negative, is " + start.fromOffset);
        }
        Set<Path> distinct = new HashSet<>();
        for (Path dir : dataDirs) {
            if (!distinct.add(Files.exists(dir) ? dir.toRealPath() : dir.toAbsolutePath().normalize())) {
                throw new ParameterException(spec.commandLine(), "--data-dir " + dir + " is given twice: its rows would "
                        + "count as stored twice");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AuditProgress progress = new AuditProgress(err);
        try (AuditKafka kafka = new AuditKafka(bootstrapServers, kafkaProperties, timeout)) {
            List<TopicPartition> all = kafka.partitionsOf(topic);
            if (all.isEmpty()) {
                err.println("error: topic " + topic + " does not exist at " + bootstrapServers);
                return ExitCodes.PROBLEM;
            }
            Set<Integer> allNumbers = new TreeSet<>();
            all.forEach(tp -> allNumbers.add(tp.partition()));
            Set<Integer> chosen = partitions == null ? allNumbers : new TreeSet<>(partitions);
            if (!allNumbers.containsAll(chosen)) {
                err.println("error: topic " + topic + " has partitions " + allNumbers + ", not " + chosen);
                return ExitCodes.PROBLEM;
            }
            List<TopicPartition> tps = chosen.stream().map(p -> new TopicPartition(topic, p)).toList();
            // the end is fixed first: whatever the consumer declared durable up to it is in the
            // day files and the dead letters read after
            Map<TopicPartition, Long> begin = kafka.offsets(tps, OffsetSpec.earliest());
            Map<TopicPartition, Long> end = group == null ? kafka.offsets(tps, OffsetSpec.latest())
                    : kafka.committed(group, tps, out);
            Map<Integer, Long> first = new HashMap<>();
            for (TopicPartition tp : tps) {
                first.put(tp.partition(), Math.max(start != null && start.fromOffset != null ? start.fromOffset : 0, begin.get(tp)));
            }
            progress.say("reading the lineage of the day files ...");
            StoreLineage lineage = StoreLineage.read(dataDirs, topic, chosen, kafka.topicId(topic), first);
            lineage.notes().forEach(out::println);
            Map<TopicPartition, long[]> ranges = ranges(kafka, tps, begin, end, first, lineage);

            progress.say("reading the dead letters ...");
            try (PositionIndex deadLetters = PositionIndex.create(Path.of(System.getProperty("java.io.tmpdir")))) {
                readDeadLetters(kafka, chosen, deadLetters, out, progress);
                AuditTally total = new AuditTally();
                Map<TopicPartition, AuditTally> tallies = new LinkedHashMap<>();
                for (Map.Entry<TopicPartition, long[]> entry : ranges.entrySet()) {
                    AuditTally tally = audit(kafka, entry.getKey(), entry.getValue(), lineage, deadLetters, out, progress);
                    tallies.put(entry.getKey(), tally);
                    total.add(tally);
                }
                progress.clear();
                tallies.forEach((tp, t) -> out.println("SUMMARY    " + tp + "  offsets " + ranges.get(tp)[0] + ".."
                        + ranges.get(tp)[1] + "  " + t));
                out.println("TOTAL      " + topic + "  " + total);
                out.flush();
                if (!total.complete()) {
                    err.println("error: " + topic + " is not stored completely: " + total.missing + " missing, "
                            + total.duplicates + " duplicated, " + total.misplaced + " misplaced, " + total.unexpected
                            + " unexpected (see the lines above)");
                    return ExitCodes.PROBLEM;
                }
                return 0;
            }
        } catch (StoredCopies.TooManyOpen e) {
            progress.clear();
            err.println("error: " + e.getMessage());
            return ExitCodes.PROBLEM;
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            progress.clear();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            err.println("error: cannot audit " + topic + " at " + bootstrapServers + ": " + cause.getClass().getSimpleName()
                    + ": " + cause.getMessage());
            return ExitCodes.PROBLEM;
        } catch (StoreException | IOException e) {
            progress.clear();
            err.println("error: cannot read the store: " + e.getMessage());
            return ExitCodes.PROBLEM;
        }
    }

    /** Each partition's offsets to audit, {@code [from, to)}, by partition number. */
    private Map<TopicPartition, long[]> ranges(AuditKafka kafka, List<TopicPartition> tps, Map<TopicPartition, Long> begin,
                                               Map<TopicPartition, Long> end, Map<Integer, Long> first, StoreLineage lineage)
            throws ExecutionException, TimeoutException, InterruptedException {
        LocalDate day = start == null ? null : start.day;
        Map<TopicPartition, Long> timedStart = Map.of();
        Map<TopicPartition, Long> timedEnd = Map.of();
        if (day != null) {
            timedStart = kafka.offsets(tps, OffsetSpec.forTimestamp(Math.max(0, DayFiles.startMillis(day) - lateness.toMillis())));
            timedEnd = kafka.offsets(tps, OffsetSpec.forTimestamp(DayFiles.startMillis(day.plusDays(1)) + lateness.toMillis()));
        }
        Map<TopicPartition, long[]> ranges = new TreeMap<>(Comparator.comparing(TopicPartition::partition));
        for (TopicPartition tp : tps) {
            long b = begin.get(tp);
            long e = Math.max(b, end.getOrDefault(tp, b));
            if (day != null) {
                long[] stored = lineage.positionsOfDay(tp.partition(), day);
                ranges.put(tp, dayRange(b, e, timedStart.get(tp), timedEnd.get(tp), stored[0], stored[1]));
            } else {
                ranges.put(tp, new long[] {Math.min(first.get(tp.partition()), e), e});
            }
        }
        return ranges;
    }

    /**
     * The offsets of a {@code --day} audit: from the first record the broker timestamped at
     * {@code lateness} before the day (none: the end), or the least offset the day's files hold,
     * whichever is lower; to the first record timestamped {@code lateness} after the day (none:
     * the end), or one past the greatest offset the day's files hold, whichever is higher; within
     * {@code [begin, end)}.
     *
     * @param storedMin the least position of the partition in the day's files, or -1 when none
     * @param storedMax the greatest, or -1
     */
    static long[] dayRange(long begin, long end, Long timedStart, Long timedEnd, long storedMin, long storedMax) {
        long lo = timedStart == null ? end : timedStart;
        if (storedMin >= 0) {
            lo = Math.min(lo, storedMin);
        }
        long hi = timedEnd == null ? end : timedEnd;
        if (storedMax >= 0) {
            hi = Math.max(hi, storedMax + 1);
        }
        lo = Math.max(lo, begin);
        hi = Math.min(hi, end);
        return new long[] {Math.min(lo, hi), hi};
    }

    /** Collects the dead letters of the audited partitions: from the dead-letter topic and each data dir's rejects files. */
    private void readDeadLetters(AuditKafka kafka, Set<Integer> chosen, PositionIndex deadLetters, PrintWriter out,
                                 AuditProgress progress)
            throws ExecutionException, TimeoutException, InterruptedException, IOException, StoreException {
        String dlq = dlqTopic != null ? dlqTopic : topic + ".dlq";
        long unreadable = 0;
        List<TopicPartition> dlqPartitions = kafka.partitionsOf(dlq);
        if (dlqPartitions.isEmpty()) {
            out.println("NOTE       dead-letter topic " + dlq + " does not exist: no dead letters from it");
        } else {
            unreadable += DeadLetterIndex.readTopic(kafka.reader(), dlqPartitions, topic, chosen, deadLetters, timeout,
                    n -> progress.update("reading dead-letter topic " + dlq + ": " + n + " records")).unreadable();
        }
        for (Path dir : dataDirs) {
            unreadable += DeadLetterIndex.readRejectsFiles(dir, topic, chosen, deadLetters).unreadable();
        }
        if (unreadable > 0) {
            out.println("NOTE       " + unreadable + " dead letter(s) without readable source coordinates were left out");
        }
        deadLetters.seal();
    }

    /** Audits one partition's range: its records merge-joined with their copies in the store. */
    private AuditTally audit(AuditKafka kafka, TopicPartition tp, long[] range, StoreLineage lineage,
                             PositionIndex deadLetters, PrintWriter out, AuditProgress progress) throws StoreException {
        String stream = StreamChunk.kafkaStream(topic, tp.partition());
        try (StoredCopies copies = new StoredCopies(stream, lineage.files(tp.partition()),
                deadLetters.entries(stream, range[0], range[1]), range[0], range[1], maxOpenFiles)) {
            PartitionAudit audit = new PartitionAudit(tp, start == null ? null : start.day, copies, out);
            kafka.read(tp, range[0], range[1], audit::record, progress);
            audit.finish();
            if (audit.foreignDeadLetters() > 0) {
                out.println("NOTE       " + audit.foreignDeadLetters() + " dead letter(s) name offsets of " + tp
                        + " whose record has another key or value (of an earlier incarnation of the topic): not counted");
            }
            return audit.tally();
        }
    }
}
