package io.ticksink.tools;

import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redrive}: publishes chosen dead letters again to the ticks topic, with their original
 * key, value and headers, each at most once over any number of runs (also runs killed midway):
 * every send is committed in one Kafka transaction with its entry in the ledger topic, and a run
 * skips what the ledger holds. See {@link RedriveSender} for the fencing of concurrent runs.
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Publish chosen dead letters again to the ticks topic (after a fix upstream or an upgrade that "
                + "accepts what was rejected), with their original key, value and headers.",
                "Each dead letter is sent once over any number of runs: a send and its entry in the ledger topic "
                        + "(<dlq-topic>.redriven) are one Kafka transaction, and a rerun skips what the ledger holds."})
final class RedriveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "The Kafka cluster.")
    String bootstrapServers;

    @Option(names = "--dlq-topic", required = true, paramLabel = "TOPIC", description = "The dead-letter topic to redrive from.")
    String dlqTopic;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "Where to publish. Default: each dead letter's source topic (its ticksink.source.topic header).")
    String topic;

    @Option(names = "--reason", paramLabel = "REASON", description = "Only dead letters of this reason (repeatable), e.g. BAD_TIMESTAMP.")
    List<String> reasons = new ArrayList<>();

    @Option(names = "--partition", paramLabel = "P", description = "Only dead letters from this source partition (repeatable).")
    List<Integer> partitions = new ArrayList<>();

    @Option(names = "--from-offset", paramLabel = "N", description = "Only dead letters from this source offset on (included).")
    Long fromOffset;

    @Option(names = "--to-offset", paramLabel = "M", description = "Only dead letters up to this source offset (included).")
    Long toOffset;

    @Option(names = "--since", paramLabel = "TIME", converter = Instants.class,
            description = "Only dead letters written at or after this time (epoch ms, RFC 3339 or YYYY-MM-DD).")
    Long since;

    @Option(names = "--until", paramLabel = "TIME", converter = Instants.class,
            description = "Only dead letters written before this time.")
    Long until;

    @Option(names = "--dry-run", description = "List what would be sent, with a count; send nothing and create nothing.")
    boolean dryRun;

    @Option(names = "--ledger-topic", paramLabel = "TOPIC",
            description = "The topic recording what was redriven (created compacted when missing). Default: <dlq-topic>.redriven.")
    String ledgerTopic;

    @Option(names = "--transaction-size", defaultValue = "500", paramLabel = "N",
            description = "Dead letters per Kafka transaction (1..10000). Default: ${DEFAULT-VALUE}.")
    int transactionSize;

    @Option(names = "--timeout", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to wait for Kafka to answer; also the transaction timeout (1s..15m). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A Kafka client property, repeatable (e.g. security.protocol=SASL_SSL).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** What a run did, for the summary. */
    private long read;
    private long sent;
    private long wouldSend;
    private long alreadySent;
    private long filteredOut;
    private long unrecognised;
    private boolean reading;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String ledger = ledgerTopic != null ? ledgerTopic : RedriveLedger.topicFor(dlqTopic);
        RedriveFilter filter = new RedriveFilter(Set.copyOf(reasons), Set.copyOf(partitions), fromOffset, toOffset, since, until);
        Progress progress = new Progress(err);
        RedriveSender sender = null;
        RedriveClients kafka = new RedriveClients(bootstrapServers, kafkaProperties, timeout);
        try (kafka; KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            TopicDescription dlq = kafka.describe(dlqTopic).orElseThrow(() -> new RedriveSender.Failure(
                    "dead-letter topic " + dlqTopic + " does not exist (--dlq-topic)", null));
            if (topic != null) {
                kafka.requireExisting(topic, "--topic");
            }
            RedriveLedger done;
            if (dryRun) {
                done = kafka.describe(ledger).isPresent()
                        ? RedriveLedger.read(consumer, ledger, dlq.topicId(), timeout) : RedriveLedger.empty();
            } else {
                kafka.ensureLedger(ledger, (short) dlq.partitions().get(0).replicas().size());
                String transactionalId = RedriveSender.transactionalId(dlqTopic);
                sender = new RedriveSender(kafka.producerProperties(transactionalId), transactionalId, ledger,
                        dlq.topicId(), timeout, main.clock());
                // first fence other runs and end what a killed one left open, then read the ledger: it is final
                sender.start();
                done = RedriveLedger.read(consumer, ledger, dlq.topicId(), timeout);
            }
            List<TopicPartition> dlqPartitions = dlq.partitions().stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            consumer.assign(dlqPartitions); // offsets of partitions not assigned come with a warning each
            Map<TopicPartition, Long> ends = consumer.endOffsets(dlqPartitions, timeout);
            Map<TopicPartition, Long> starts = starts(consumer, dlqPartitions, ends);
            reading = true;
            progress.total(starts.entrySet().stream().mapToLong(e -> ends.get(e.getKey()) - e.getValue()).sum());
            List<RedriveSender.Pending> batch = new ArrayList<>();
            RedriveSender transactional = sender;
            CommittedRecords.read(consumer, starts, ends, timeout, record -> {
                read++;
                Optional<DeadLetter> letter = DeadLetter.of(record);
                if (letter.isEmpty()) {
                    unrecognised++;
                } else if (!filter.accepts(letter.get())) {
                    filteredOut++;
                } else if (done.contains(record.partition(), record.offset())) {
                    alreadySent++;
                } else {
                    DeadLetter d = letter.get();
                    String to = topic != null ? topic : d.sourceTopic();
                    if (topic == null) {
                        kafka.requireExisting(to, "the source topic of dead letter " + d.coordinates());
                    }
                    if (dryRun) {
                        progress.clear();
                        out.println("would send  " + line(d) + "  to " + to);
                        wouldSend++;
                    } else {
                        batch.add(new RedriveSender.Pending(d, to));
                        if (batch.size() >= transactionSize) {
                            commit(transactional, batch, out, progress);
                        }
                    }
                }
                progress.show(read, dryRun ? wouldSend : sent);
            });
            if (!batch.isEmpty()) {
                commit(transactional, batch, out, progress);
            }
        } catch (RedriveSender.Failure | KafkaException e) {
            progress.clear();
            if (reading) {
                summary(out, sender);
            }
            out.flush();
            err.println("error: " + kafka.explain(e) + (reading && !dryRun
                    ? "; what was committed stays committed, and a rerun sends the rest" : ""));
            return ExitCodes.PROBLEM;
        } finally {
            if (sender != null) {
                sender.close();
            }
        }
        progress.clear();
        summary(out, sender);
        return 0;
    }

    /** Sends a batch in one transaction, lists what went once it is committed, and empties the batch. */
    private void commit(RedriveSender sender, List<RedriveSender.Pending> batch, PrintWriter out, Progress progress) {
        List<RedriveSender.Sent> committed;
        try {
            committed = sender.send(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedriveSender.Failure("interrupted; the transaction in hand is not committed", e);
        }
        progress.clear();
        for (RedriveSender.Sent s : committed) {
            out.println("sent  " + line(s.deadLetter()) + "  to " + s.to().topic() + "-" + s.to().partition() + "@"
                    + s.to().offset());
        }
        sent += committed.size();
        batch.clear();
    }

    private static String line(DeadLetter d) {
        return d.coordinates() + "  " + d.reason() + "  from " + d.sourceCoordinates() + "  key " + d.printableKey();
    }

    private void summary(PrintWriter out, RedriveSender sender) {
        String what = dryRun ? wouldSend + " would be sent (dry run: nothing sent)"
                : sent + " sent in " + (sender == null ? 0 : sender.transactions()) + " transaction(s)";
        out.println(dlqTopic + ": " + read + " dead letters read: " + what + ", " + alreadySent + " already sent before, "
                + filteredOut + " filtered out, " + unrecognised + " not ticksink dead letters (no reason or source headers)");
    }

    /** Where each dead-letter partition is read from: its log start, or the first offset at --since. */
    private Map<TopicPartition, Long> starts(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> dlqPartitions,
                                             Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> starts = new HashMap<>(consumer.beginningOffsets(dlqPartitions, timeout));
        if (since != null) {
            Map<TopicPartition, Long> at = new HashMap<>();
            dlqPartitions.forEach(tp -> at.put(tp, since));
            consumer.offsetsForTimes(at, timeout).forEach((tp, found) -> starts.merge(tp,
                    found == null ? ends.get(tp) : found.offset(), Math::max));
        }
        return starts;
    }

    private void validate() {
        if (fromOffset != null && toOffset != null && fromOffset > toOffset) {
            throw new ParameterException(spec.commandLine(), "--from-offset " + fromOffset + " is after --to-offset " + toOffset);
        }
        if (since != null && until != null && since >= until) {
            throw new ParameterException(spec.commandLine(), "--since must be before --until");
        }
        if (transactionSize < 1 || transactionSize > 10_000) {
            throw new ParameterException(spec.commandLine(), "--transaction-size must be 1..10000, not " + transactionSize);
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 1s..15m (15m is the broker's default "
                    + "transaction.max.timeout.ms)");
        }
    }

    /** A progress line on stderr, only on a terminal, redrawn at most four times a second. */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private long total;
        private long lastDrawn;
        private boolean shown;

        Progress(PrintWriter err) {
            this.err = err;
        }

        void total(long total) {
            this.total = total;
        }

        void show(long read, long sent) {
            long now = System.nanoTime();
            if (terminal && now - lastDrawn > 250_000_000L) {
                err.print("\rredrive: " + read + " of " + total + " dead letters read, " + sent + " sent ");
                err.flush();
                lastDrawn = now;
                shown = true;
            }
        }

        void clear() {
            if (shown) {
                err.print("\r" + " ".repeat(79) + "\r");
                err.flush();
                shown = false;
            }
        }
    }
}
