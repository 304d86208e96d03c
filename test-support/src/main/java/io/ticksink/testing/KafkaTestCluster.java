package io.ticksink.testing;

import io.ticksink.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The real Kafka broker of the integration tests, one shared by every test of the JVM
 * ({@link #get()}): the cluster named by {@code KAFKA_BOOTSTRAP_SERVERS} when set; else a
 * Testcontainers broker when a Docker engine answers; else a single-node KRaft broker in this JVM.
 * Never a mock. A test that stops the broker gets an in-process one ({@link #stoppable()}).
 *
 * <p>Also the tests' view of the broker: create unique topics, produce, read a topic back, and
 * read a group's committed offsets. Thread safe. Tests receive it through {@link KafkaBroker}.
 */
public final class KafkaTestCluster {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaTestCluster instance;
    private static KafkaTestCluster stoppable;

    private final String bootstrapServers;
    private final EmbeddedKafka embedded;

    private KafkaTestCluster(String bootstrapServers, EmbeddedKafka embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    /** The cluster of this JVM, started on first use. */
    public static synchronized KafkaTestCluster get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /**
     * A cluster whose broker runs in this JVM, so that a test can stop and start it: the shared one
     * when that is in-process, else a second in-process broker, started on first use and shared by
     * the tests that ask for it.
     */
    public static synchronized KafkaTestCluster stoppable() {
        KafkaTestCluster shared = get();
        if (shared.embedded != null) {
            return shared;
        }
        if (stoppable == null) {
            stoppable = startInProcess();
        }
        return stoppable;
    }

    private static KafkaTestCluster start() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new KafkaTestCluster(external, null);
        }
        if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.0");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new KafkaTestCluster(container.getBootstrapServers(), null);
        }
        return startInProcess();
    }

    private static KafkaTestCluster startInProcess() {
        try {
            Path dir = Files.createTempDirectory("ticksink-it-kafka-");
            EmbeddedKafka kafka = EmbeddedKafka.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
            return new KafkaTestCluster(kafka.bootstrapServers(), kafka);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the in-process broker", e);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The in-process broker, when that is what runs: only it can be stopped and started by a test. */
    public Optional<EmbeddedKafka> embedded() {
        return Optional.ofNullable(embedded);
    }

    /** Creates a topic with a name no other test uses, and waits for its partition leaders. */
    public String createTopic(String prefix, int partitions) {
        String topic = prefix + "-" + TOPICS.incrementAndGet() + "-" + System.nanoTime() % 100_000;
        EmbeddedKafka.createTopic(bootstrapServers, topic, partitions);
        return topic;
    }

    /**
     * Deletes a topic and creates it again under the same name (a new topic id, offsets from 0),
     * waiting until the deletion is done and the new partition leaders exist.
     */
    public void recreateTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + " still listed 60 s after its deletion");
                }
                Thread.onSpinWait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot delete " + topic, e);
        }
        EmbeddedKafka.createTopic(bootstrapServers, topic, partitions);
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Produces key/value pairs (UTF-8) and waits for every acknowledgement. */
    public void produce(String topic, List<Map.Entry<String, String>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (Map.Entry<String, String> r : records) {
                byte[] key = r.getKey() == null ? null : r.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] value = r.getValue() == null ? null : r.getValue().getBytes(StandardCharsets.UTF_8);
                sends.add(producer.send(new ProducerRecord<>(topic, null, key, value, new RecordHeaders())));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("produce to " + topic + " failed", e);
        }
    }

    /** Every record of a topic, read from the beginning until {@code expected} arrived or 30 s passed. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Every committed record of a topic, read with read_committed from the beginning, once no
     * transaction on it is open any more (a transaction's commit markers are written just after
     * its producer's commit returns): what a transactional reader of the topic sees, copies
     * included. Fails when a transaction stays open for 30 s.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return readCommitted(topic, true);
    }

    /**
     * As {@link #readCommitted(String)}; with {@code awaitClosedTransactions} false, up to the last
     * stable offset as it is now, before any transaction still open.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, boolean awaitClosedTransactions) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (awaitClosedTransactions) {
                org.awaitility.Awaitility.await("no transaction open on " + topic).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> consumer.endOffsets(partitions, Duration.ofSeconds(30)).equals(highWatermarks(partitions)));
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30)); // stable offsets
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end + " within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + partitions, e);
        }
    }

    /** The group's committed offsets on a topic, partition by partition (absent: none committed). */
    public Map<Integer, Long> committedOffsets(String groupId, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> result = new HashMap<>();
            offsets.forEach((tp, om) -> {
                if (tp.topic().equals(topic) && om != null) {
                    result.put(tp.partition(), om.offset());
                }
            });
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of group " + groupId, e);
        }
    }

    /** The end offset of every partition of a topic. */
    public Map<Integer, Long> endOffsets(String topic, int partitions) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    /** The members of a consumer group with the partitions each owns. */
    public Map<String, Set<Integer>> members(String groupId) {
        try (Admin admin = admin()) {
            var description = admin.describeConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS).get(groupId);
            Map<String, Set<Integer>> members = new HashMap<>();
            description.members().forEach(m -> members.put(m.consumerId(),
                    m.assignment().topicPartitions().stream().map(TopicPartition::partition).collect(Collectors.toSet())));
            return members;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe group " + groupId, e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }
}
