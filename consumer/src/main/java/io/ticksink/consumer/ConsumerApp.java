package io.ticksink.consumer;

import io.ticksink.cli.Durations;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer service wired from its configuration: Kafka consumer, dead-letter producer, store,
 * metrics and the HTTP endpoint. {@link #run()} blocks until {@link #requestStop()}; closing
 * releases everything. Used by {@link Main} and by the in-process integration tests.
 */
public final class ConsumerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerApp.class);
    /** Most records one poll returns (Kafka's default). */
    static final int POLL_RECORDS = 500;
    /** Closing both Kafka clients fits in {@link Main#CLOSE_GRACE}, the time a stop has beyond --shutdown-timeout. */
    static final Duration CONSUMER_CLOSE = Duration.ofSeconds(7);
    static final Duration PRODUCER_CLOSE = Duration.ofSeconds(5);
    static final Duration TRANSACTION_TIMEOUT_CAP = Duration.ofMinutes(15);

    /** The service cannot start: the message says why. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ConsumerConfig config;
    private final TickStore store;
    private final ConsumerMetrics metrics;
    private final HealthServer http;
    private final KafkaConsumer<byte[], ByteBuffer> kafkaConsumer;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Learns topic ids, so that a topic deleted and created again is told from the old one. */
    private final Admin admin;
    private final TransactionalIds transactionalIds;
    /** Its transactions start in {@link #run()}, once Kafka answers. */
    private final DeadLetters deadLetters;
    private final TickConsumer consumer;
    /** Holds the start until Kafka answers, and says when it does not. */
    private final BrokerWatch brokerWatch;

    private ConsumerApp(ConsumerConfig config, TickStore store, ConsumerMetrics metrics, HealthServer http,
                        KafkaConsumer<byte[], ByteBuffer> kafkaConsumer, KafkaProducer<byte[], byte[]> producer, Admin admin,
                        TransactionalIds transactionalIds, BrokerWatch brokerWatch) {
        this.config = config;
        this.brokerWatch = brokerWatch;
        this.store = store;
        this.metrics = metrics;
        this.http = http;
        this.kafkaConsumer = kafkaConsumer;
        this.producer = producer;
        this.admin = admin;
        this.transactionalIds = transactionalIds;
        this.deadLetters = new DeadLetters(producer, config.dlqTopic(), config.dlqTimeout,
                config.dataDir.resolve("rejects"), metrics);
        this.consumer = new TickConsumer(config, kafkaConsumer, deadLetters, store, metrics, new KafkaTopicIds(admin),
                TickConsumer.HAND_OVER_WAIT);
    }

    public static ConsumerApp create(ConsumerConfig config, String bootstrap) throws StartException {
        try {
            Files.createDirectories(config.dataDir);
        } catch (IOException e) {
            throw new StartException("--data-dir " + config.dataDir + " cannot be created: " + e, e);
        }
        TickStore store = new TickStore(config.dataDir, config.storeOptions());
        ConsumerMetrics metrics = new ConsumerMetrics(store);
        HealthServer http = null;
        KafkaConsumer<byte[], ByteBuffer> kafkaConsumer = null;
        KafkaProducer<byte[], byte[]> producer = null;
        Admin admin = null;
        TransactionalIds transactionalIds = null;
        try {
            transactionalIds = TransactionalIds.claim(config.dataDir, config.groupId);
            if (config.httpPort >= 0) {
                http = new HealthServer(config.httpAddress, config.httpPort, metrics);
                log.info("metrics and health on http://{}:{}/metrics", config.httpAddress, http.port());
            }
            kafkaConsumer = new KafkaConsumer<>(consumerProperties(config, bootstrap),
                    new ByteArrayDeserializer(), new ByteBufferDeserializer());
            producer = new KafkaProducer<>(producerProperties(config, bootstrap, transactionalIds.id()),
                    new ByteArraySerializer(), new ByteArraySerializer());
            admin = Admin.create(DeadLetterTopic.adminProperties(config, bootstrap));
            return new ConsumerApp(config, store, metrics, http, kafkaConsumer, producer, admin, transactionalIds,
                    new BrokerWatch(admin, bootstrap, config.groupId, metrics));
        } catch (IOException | KafkaException e) {
            closeQuietly(kafkaConsumer, producer);
            if (transactionalIds != null) {
                transactionalIds.close();
            }
            if (admin != null) {
                admin.close(PRODUCER_CLOSE);
            }
            if (http != null) {
                http.close();
            }
            store.close();
            String message = transactionalIds == null ? "--data-dir " + config.dataDir + ": " + e.getMessage()
                    : e instanceof IOException ? e.getMessage() // the HTTP endpoint's: names address, port and what to do
                    : "the Kafka client: " + e.getMessage();
            throw new StartException(message, e);
        }
    }

    /**
     * Waits until Kafka answers (for as long as it takes, with {@code /health/ready} at 503), checks
     * the dead-letter topic, then consumes until {@link #requestStop()} or a fatal error; returns the
     * exit status.
     */
    public int run() {
        if (!brokerWatch.awaitCluster()) {
            return TickConsumer.EXIT_OK; // stopped before Kafka answered: nothing was read
        }
        try {
            // the embedded broker is ours: its dead-letter topic is created as its topic is
            DeadLetterTopic.ensure(config, brokerWatch.bootstrap(), config.dlqCreate || config.embedded());
        } catch (StartException e) {
            log.error("cannot start: {}", KafkaSecrets.maskText(e.getMessage()));
            return TickConsumer.EXIT_FATAL;
        }
        try {
            if (!deadLetters.prepare()) {
                log.warn("the broker did not answer the dead-letter producer's start ({}) within {}; done again with "
                        + "the first dead letters", transactionalIds.id(), Durations.format(config.dlqTimeout.dividedBy(2)));
            }
        } catch (DeadLetters.FencedException e) {
            log.error("cannot start: {}", KafkaSecrets.maskText(e.getMessage()));
            return TickConsumer.EXIT_FATAL;
        }
        brokerWatch.start();
        log.info("consuming {} as group {} into {}; dead letters to {} in transactions as {}", config.topic, config.groupId,
                config.dataDir.toAbsolutePath(), config.dlqTopic(), transactionalIds.id());
        return consumer.run();
    }

    /** Safe from any thread, also before {@link #run()}. */
    public void requestStop() {
        brokerWatch.requestStop();
        consumer.requestStop();
    }

    public ConsumerMetrics metrics() {
        return metrics;
    }

    /** The port of the HTTP endpoint, or -1 when disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    @Override
    public void close() {
        brokerWatch.close();
        closeQuietly(kafkaConsumer, producer);
        try {
            admin.close(Duration.ZERO); // nothing of it is pending once the loop has ended
        } catch (RuntimeException e) {
            log.warn("closing the admin client: {}", e.toString());
        }
        store.close();
        transactionalIds.close(); // after the producer: a successor takes this slot once nothing uses it
        if (http != null) {
            http.close();
        }
    }

    static Map<String, Object> consumerProperties(ConsumerConfig config, String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, config.groupId);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "ticksink-" + ProcessHandle.current().pid());
        // offsets are committed by hand, only after the ticks before them are durable in SQLite
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a new group must not skip what was published before it first started
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.autoOffsetReset);
        // incremental rebalances: partitions that stay with a member keep flowing during a rebalance
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        // a batch is collected over several small polls: a poll's records stay on the heap until
        // they are decoded, and a poll as large as a whole batch (~10 MB) would outlive young
        // collections and be promoted, filling the old generation of a small heap (-Xmx256m)
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.batchSize, POLL_RECORDS));
        // a deleted topic is not created again by this consumer's own metadata requests, with the
        // broker's default partition count: the topic is the producers' and the operators' to create
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // ticks of aborted producer transactions are never stored
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (config.groupInstanceId != null && !config.groupInstanceId.isBlank()) {
            // static membership: a restart within the session timeout keeps the member's partitions
            p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupInstanceId);
        }
        p.putAll(config.kafkaProperties);
        return p;
    }

    static Map<String, Object> producerProperties(ConsumerConfig config, String bootstrap, String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ticksink-dlq-" + ProcessHandle.current().pid());
        // a dead letter counts as stored only once every in-sync replica has it
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // a batch's dead letters and its offsets commit in one transaction (see DeadLetters)
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // what a member killed mid-transaction left open, and that no successor with its id aborts,
        // holds back read_committed readers of the dead-letter topic this long at most (the broker's
        // transaction.max.timeout.ms is 15 minutes by default)
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                (int) Math.min(TRANSACTION_TIMEOUT_CAP.toMillis(), Math.max(30_000, 3 * config.dlqTimeout.toMillis())));
        // one attempt to publish dead letters must fail within --dlq-timeout, not block the writer for
        // minutes: the producer gives a record up after it (delivery.timeout.ms), waits for one broker
        // answer at most half of it (request.timeout.ms, so a slow answer is retried once within the
        // bound; delivery >= request + linger is required), and blocks a send on missing metadata or a
        // full buffer (a missing topic) half of it too (max.block.ms); DeadLetters waits on the futures
        // no longer than the timeout, and a failed attempt is retried by the writer with backoff
        int timeoutMs = (int) config.dlqTimeout.toMillis();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs / 2);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs / 2);
        // the consumer's own settings (group, offsets) mean nothing to a producer; pass the rest (security),
        // with the config providers' own keys (config.providers.<name>.class) that resolve ${name:...} secrets
        config.kafkaProperties.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k) || k.startsWith("config.providers.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    private static void closeQuietly(KafkaConsumer<byte[], ByteBuffer> consumer, KafkaProducer<byte[], byte[]> producer) {
        try {
            if (consumer != null) {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(CONSUMER_CLOSE));
            }
        } catch (RuntimeException e) {
            log.warn("closing the Kafka consumer: {}", e.toString());
        }
        try {
            if (producer != null) {
                producer.close(PRODUCER_CLOSE);
            }
        } catch (RuntimeException e) {
            log.warn("closing the dead-letter producer: {}", e.toString());
        }
    }

}
