package io.ticksink.tools;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.PositionIndex;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StoredPositions;
import io.ticksink.schema.StreamChunk;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err);
        String dlq = dlqTopic != null ? dlqTopic : topic + ".dlq";
        try (Admin admin = Admin.create(adminProperties())) {
            List<TopicPartition> all = partitionsOf(admin, topic);
            if (all.isEmpty()) {
                err.println("error: topic " + topic + " does not exist at " + bootstrapServers);
                return Main.PROBLEM;
            }
            Set<Integer> allNumbers = new TreeSet<>();
            all.forEach(tp -> allNumbers.add(tp.partition()));
            Set<Integer> chosen = partitions == null ? allNumbers : new TreeSet<>(partitions);
            if (!allNumbers.containsAll(chosen)) {
                err.println("error: topic " + topic + " has partitions " + allNumbers + ", not " + chosen);
                return Main.PROBLEM;
            }
            List<TopicPartition> tps = chosen.stream().map(p -> new TopicPartition(topic, p)).toList();
            String topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).topicId().toString();

            Map<TopicPartition, Long> begin = listOffsets(admin, tps, OffsetSpec.earliest());
            // the end as committed: the last stable offset, below any transaction still open
            Map<TopicPartition, Long> end = group == null ? listOffsets(admin, tps, OffsetSpec.latest()) : committed(admin, tps, out);

            Map<Integer, Long> firstOffsets = new HashMap<>();
            for (TopicPartition tp : tps) {
                long from = start != null && start.fromOffset != null ? start.fromOffset : 0;
                firstOffsets.put(tp.partition(), Math.max(from, begin.get(tp)));
            }
            progress.say("reading the lineage of the day files ...");
            StoreLineage lineage = StoreLineage.read(dataDirs, topic, chosen, topicId, firstOffsets);
            lineage.notes().forEach(out::println);

            Map<TopicPartition, long[]> ranges = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::partition));
            Map<TopicPartition, Long> dayStart = Map.of();
            Map<TopicPartition, Long> dayEnd = Map.of();
            if (start != null && start.day != null) {
                dayStart = listOffsets(admin, tps, OffsetSpec.forTimestamp(
                        Math.max(0, DayFiles.startMillis(start.day) - lateness.toMillis())));
                dayEnd = listOffsets(admin, tps, OffsetSpec.forTimestamp(
                        DayFiles.startMillis(start.day.plusDays(1)) + lateness.toMillis()));
            }
            for (TopicPartition tp : tps) {
                long b = begin.get(tp);
                long e = Math.max(b, end.getOrDefault(tp, b));
                long[] range;
                if (start != null && start.day != null) {
                    long[] stored = lineage.positionsOfDay(tp.partition(), start.day);
                    range = dayRange(b, e, dayStart.get(tp), dayEnd.get(tp), stored[0], stored[1]);
                } else {
                    long from = firstOffsets.get(tp.partition());
                    range = new long[] {Math.min(from, e), e};
                }
                ranges.put(tp, range);
            }

            progress.say("reading the dead letters ...");
            try (PositionIndex deadLetters = PositionIndex.create(Path.of(System.getProperty("java.io.tmpdir")))) {
                long unreadable = 0;
                List<TopicPartition> dlqPartitions = partitionsOf(admin, dlq);
                if (dlqPartitions.isEmpty()) {
                    out.println("NOTE       dead-letter topic " + dlq + " does not exist: no dead letters from it");
                } else {
                    unreadable += DeadLetterIndex.readTopic(reader(), dlqPartitions, topic, chosen, deadLetters, timeout,
                            n -> progress.update("reading dead-letter topic " + dlq + ": " + n + " records")).unreadable();
                }
                for (Path dir : dataDirs) {
                    unreadable += DeadLetterIndex.readRejectsFiles(dir, topic, chosen, deadLetters).unreadable();
                }
                if (unreadable > 0) {
                    out.println("NOTE       " + unreadable + " dead letter(s) without readable source coordinates were left out");
                }
                deadLetters.seal();

                AuditTally total = new AuditTally();
                Map<TopicPartition, AuditTally> tallies = new LinkedHashMap<>();
                for (Map.Entry<TopicPartition, long[]> entry : ranges.entrySet()) {
                    TopicPartition tp = entry.getKey();
                    long[] range = entry.getValue();
                    String stream = StreamChunk.kafkaStream(topic, tp.partition());
                    AuditTally tally;
                    try (StoredCopies copies = new StoredCopies(stream, lineage.files(tp.partition()),
                            deadLetters.entries(stream, range[0], range[1]), range[0], range[1], maxOpenFiles)) {
                        PartitionAudit audit = new PartitionAudit(tp, start == null ? null : start.day, copies, out);
                        readRange(tp, range[0], range[1], audit, progress);
                        audit.finish();
                        tally = audit.tally();
                        if (audit.foreignDeadLetters() > 0) {
                            out.println("NOTE       " + audit.foreignDeadLetters() + " dead letter(s) name offsets of " + tp
                                    + " whose record has another key or value (of an earlier incarnation of the topic): "
                                    + "not counted");
                        }
                    }
                    tallies.put(tp, tally);
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
                    return Main.PROBLEM;
                }
                return 0;
            }
        } catch (StoredCopies.TooManyOpen e) {
            progress.clear();
            err.println("error: " + e.getMessage());
            return Main.PROBLEM;
        } catch (KafkaException | ExecutionException | TimeoutException e) {
            progress.clear();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            err.println("error: cannot audit " + topic + " at " + bootstrapServers + ": " + cause.getClass().getSimpleName()
                    + ": " + cause.getMessage());
            return Main.PROBLEM;
        } catch (StoreException | IOException e) {
            progress.clear();
            err.println("error: cannot read the store: " + e.getMessage());
            return Main.PROBLEM;
        }
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

    /** Reads {@code [from, to)} of one partition into the audit, as committed (markers and aborted records skipped). */
    private void readRange(TopicPartition tp, long from, long to, PartitionAudit audit, Progress progress)
            throws StoreException {
        if (from >= to) {
            return;
        }
        try (KafkaConsumer<byte[], ByteBuffer> consumer = reader()) {
            readRange(consumer, tp, from, to, audit, progress);
        }
    }

    private void readRange(KafkaConsumer<byte[], ByteBuffer> consumer, TopicPartition tp, long from, long to,
                           PartitionAudit audit, Progress progress) throws StoreException {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long lastRecord = System.nanoTime();
        while (consumer.position(tp, timeout) < to) {
            var records = consumer.poll(Duration.ofMillis(500));
            if (records.isEmpty()) {
                if (System.nanoTime() - lastRecord > timeout.toNanos()) {
                    throw new org.apache.kafka.common.errors.TimeoutException("no record of " + tp + " arrived for "
                            + timeout.toSeconds() + " s at offset " + consumer.position(tp) + " (auditing up to " + to + ")");
                }
                continue;
            }
            lastRecord = System.nanoTime();
            long last = from;
            for (ConsumerRecord<byte[], ByteBuffer> r : records.records(tp)) {
                if (r.offset() >= to) {
                    break;
                }
                audit.record(r);
                last = r.offset();
            }
            progress.update(tp, from, last + 1, to);
        }
    }

    /** The partitions of a topic, none when it does not exist. */
    private List<TopicPartition> partitionsOf(Admin admin, String name)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return admin.describeTopics(List.of(name)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(name)
                    .partitions().stream().map(i -> new TopicPartition(name, i.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return List.of();
            }
            throw e;
        }
    }

    private Map<TopicPartition, Long> committed(Admin admin, List<TopicPartition> tps, PrintWriter out)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> end = new HashMap<>();
        for (TopicPartition tp : tps) {
            OffsetAndMetadata om = offsets.get(tp);
            if (om == null) {
                out.println("NOTE       group " + group + " has no committed offset on " + tp + ": nothing of it audited");
            } else {
                end.put(tp, om.offset());
            }
        }
        return end;
    }

    /**
     * The offsets of {@code spec} as a {@code read_committed} consumer sees them; a partition
     * without one (no record at or after a timestamp) is left out.
     */
    private Map<TopicPartition, Long> listOffsets(Admin admin, List<TopicPartition> tps, OffsetSpec spec)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(query, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> {
                    if (info.offset() >= 0) {
                        offsets.put(tp, info.offset());
                    }
                });
        return offsets;
    }

    private Map<String, Object> commonProperties() {
        Map<String, Object> p = new HashMap<>(kafkaProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> p = new HashMap<>();
        commonProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ticksink-audit-admin-" + ProcessHandle.current().pid());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return p;
    }

    /**
     * A new consumer for one read (the dead-letter topic, one partition): one that is
     * reassigned warns about the fetches still under way for its former partitions.
     */
    private KafkaConsumer<byte[], ByteBuffer> reader() {
        return new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        commonProperties().forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ticksink-audit-" + ProcessHandle.current().pid());
        // what the consumer sees: records of aborted transactions are not records of the topic
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // partitions are assigned, never subscribed: no group of its own, nothing committed
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // never create a topic by asking for it (a mistyped dead-letter topic)
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // a range that retention deleted under the audit fails it instead of silently skipping records
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return p;
    }

    /** A progress line on stderr, rewritten in place, when stderr is a terminal; nothing otherwise. */
    static final class Progress {
        private static final long EVERY_NANOS = 250_000_000L;
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private long last;
        private boolean shown;

        Progress(PrintWriter err) {
            this.err = err;
        }

        void say(String line) {
            if (terminal) {
                err.print("\r\033[K" + line);
                err.flush();
                shown = true;
                last = System.nanoTime();
            }
        }

        void update(String line) {
            if (terminal && System.nanoTime() - last >= EVERY_NANOS) {
                say(line);
            }
        }

        void update(TopicPartition tp, long from, long at, long to) {
            if (terminal && System.nanoTime() - last >= EVERY_NANOS) {
                long done = at - from;
                long size = Math.max(1, to - from);
                say("auditing " + tp + ": offset " + at + " of " + to + " (" + (100 * done / size) + "%)");
            }
        }

        void clear() {
            if (shown) {
                err.print("\r\033[K");
                err.flush();
                shown = false;
            }
        }
    }
}
