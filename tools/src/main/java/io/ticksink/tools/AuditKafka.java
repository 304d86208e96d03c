package io.ticksink.tools;

import io.ticksink.schema.StoreException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * The audit's view of the cluster: topic metadata and offsets through one admin client (as a
 * {@code read_committed} consumer sees them), and records through consumers of its own, each
 * assigned partitions for one read (never a group member, nothing committed). Every call waits
 * at most the timeout. Not thread safe.
 */
final class AuditKafka implements AutoCloseable {

    /** Reads the records of a partition, in offset order. */
    interface RecordSink {
        void accept(ConsumerRecord<byte[], ByteBuffer> record) throws StoreException;
    }

    private final String bootstrapServers;
    private final Map<String, String> properties;
    private final Duration timeout;
    private final Admin admin;

    /** @param properties Kafka client properties passed through (security settings); each client takes those it knows */
    AuditKafka(String bootstrapServers, Map<String, String> properties, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.properties = Map.copyOf(properties);
        this.timeout = timeout;
        this.admin = Admin.create(adminProperties());
    }

    /** The partitions of a topic, none when it does not exist. */
    List<TopicPartition> partitionsOf(String topic) throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic)
                    .partitions().stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return List.of();
            }
            throw e;
        }
    }

    /** The topic's id: the incarnation the consumer records in each day file's stream fingerprint. */
    String topicId(String topic) throws ExecutionException, TimeoutException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic).topicId().toString();
    }

    /**
     * The offsets of {@code spec} as a {@code read_committed} consumer sees them (the latest: the
     * last stable offset, below any transaction still open); a partition without one (no record
     * at or after a timestamp) is left out.
     */
    Map<TopicPartition, Long> offsets(List<TopicPartition> tps, OffsetSpec spec)
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

    /** A group's committed offsets on the partitions; a partition without one is left out, with a note on {@code out}. */
    Map<TopicPartition, Long> committed(String group, List<TopicPartition> tps, PrintWriter out)
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
     * Hands the committed records of {@code [from, to)} of one partition to {@code sink}, in
     * offset order (control markers and records of aborted transactions are not records). Fails
     * when no record arrives for the timeout, or when the range's start was deleted meanwhile.
     */
    void read(TopicPartition tp, long from, long to, RecordSink sink, AuditProgress progress) throws StoreException {
        if (from >= to) {
            return;
        }
        try (KafkaConsumer<byte[], ByteBuffer> consumer = reader()) {
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
                long next = from;
                for (ConsumerRecord<byte[], ByteBuffer> r : records.records(tp)) {
                    if (r.offset() >= to) {
                        break;
                    }
                    sink.accept(r);
                    next = r.offset() + 1;
                }
                progress.update(tp, from, next, to);
            }
        }
    }

    /**
     * A new consumer for one read (the dead-letter topic, one partition): one that is
     * reassigned warns about the fetches still under way for its former partitions.
     */
    KafkaConsumer<byte[], ByteBuffer> reader() {
        return new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> p = new HashMap<>();
        properties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ticksink-audit-admin-" + ProcessHandle.current().pid());
        // the admin client takes the larger of the two: both are the audit's timeout
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return p;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        properties.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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

    @Override
    public void close() {
        admin.close(timeout); // calls still pending (a cluster that never answered) are cut off, not awaited
    }
}
