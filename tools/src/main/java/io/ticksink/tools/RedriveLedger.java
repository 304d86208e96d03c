package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The record of what was redriven: a compacted topic ({@code <dlq-topic>.redriven} by default)
 * holding one entry per dead letter sent, written in the same Kafka transaction as the send
 * itself, so an entry exists exactly when its send is committed. Keyed by the dead letter's
 * coordinates with the dead-letter topic's id ({@code <topic-id>:<partition>@<offset>}), so the
 * dead letters of a dead-letter topic deleted and created again under the same name are not taken
 * for those of the old one.
 *
 * <p>{@link #read} holds the coordinates of every entry of one dead-letter topic in memory (a set
 * per partition): dead letters are few. Not thread safe.
 */
final class RedriveLedger {

    private static final JsonFactory JSON = new JsonFactory();

    private final Map<Integer, Set<Long>> sent;

    private RedriveLedger(Map<Integer, Set<Long>> sent) {
        this.sent = sent;
    }

    /** A ledger with no entries: nothing redriven yet. */
    static RedriveLedger empty() {
        return new RedriveLedger(new HashMap<>());
    }

    /** The default ledger topic of a dead-letter topic. */
    static String topicFor(String dlqTopic) {
        return dlqTopic + ".redriven";
    }

    static String key(Uuid dlqTopicId, int partition, long offset) {
        return dlqTopicId + ":" + partition + "@" + offset;
    }

    /** Whether the dead letter at {@code partition}/{@code offset} of the dead-letter topic was redriven. */
    boolean contains(int partition, long offset) {
        return sent.getOrDefault(partition, Set.of()).contains(offset);
    }

    int size() {
        return sent.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * The entries of the dead-letter topic {@code dlqTopicId} in the committed part of the ledger
     * topic, read with {@code consumer} (which must read {@code read_committed}).
     */
    static RedriveLedger read(KafkaConsumer<byte[], byte[]> consumer, String ledgerTopic, Uuid dlqTopicId,
                              Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(ledgerTopic, timeout).stream()
                .map(p -> new TopicPartition(ledgerTopic, p.partition())).toList();
        consumer.assign(partitions); // offsets of partitions not assigned come with a warning each
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        String prefix = dlqTopicId + ":";
        Map<Integer, Set<Long>> sent = new HashMap<>();
        CommittedRecords.read(consumer, starts, ends, timeout, record -> {
            String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            int at = key.lastIndexOf('@');
            if (record.value() != null && key.startsWith(prefix) && at > prefix.length()) {
                try {
                    int partition = Integer.parseInt(key.substring(prefix.length(), at));
                    long offset = Long.parseLong(key.substring(at + 1));
                    sent.computeIfAbsent(partition, p -> new HashSet<>()).add(offset);
                } catch (NumberFormatException e) {
                    // not an entry of ours: ignored
                }
            }
        });
        return new RedriveLedger(sent);
    }

    /**
     * The ledger entry of a dead letter sent as {@code sentAs}: its key, and a JSON value naming the
     * dead letter, the record first rejected, the reason, where it went and when.
     */
    static ProducerRecord<byte[], byte[]> entry(String ledgerTopic, Uuid dlqTopicId, DeadLetter deadLetter,
                                                RecordMetadata sentAs, long now) {
        ByteArrayOutputStream value = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(value)) {
            g.writeStartObject();
            g.writeStringField("dead_letter", deadLetter.coordinates());
            g.writeStringField("source", deadLetter.sourceCoordinates());
            g.writeStringField("reason", deadLetter.reason());
            g.writeStringField("sent_to", sentAs.topic() + "-" + sentAs.partition() + "@" + sentAs.offset());
            g.writeStringField("redriven", Instants.print(now));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: writes to memory
        }
        byte[] key = key(dlqTopicId, deadLetter.partition(), deadLetter.offset()).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(ledgerTopic, key, value.toByteArray());
    }

    /**
     * Creates the ledger topic when it is missing: one partition, compacted, with the given
     * replication factor; then waits until its partition has a leader, so the first send does not
     * wait for it.
     *
     * @return whether it was created now
     */
    static boolean ensureTopic(Admin admin, String ledgerTopic, short replicationFactor, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (describe(admin, ledgerTopic, timeout).isPresent()) {
            return false;
        }
        NewTopic topic = new NewTopic(ledgerTopic, 1, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        boolean created = true;
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // another redrive was faster
                throw e;
            }
            created = false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                admin.listOffsets(Map.of(new TopicPartition(ledgerTopic, 0), OffsetSpec.latest())).all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return created;
            } catch (ExecutionException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100); // a backoff between polls of the broker, not a synchronisation
            }
        }
    }

    /** The topic's description, or empty when it does not exist. */
    static Optional<TopicDescription> describe(Admin admin, String topic, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
