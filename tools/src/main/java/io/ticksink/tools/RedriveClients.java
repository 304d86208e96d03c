package io.ticksink.tools;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A redrive's access to Kafka: the settings of its admin client, consumer and producer (the
 * {@code --kafka-property} settings each client knows, then those the redrive relies on), and the
 * topic checks, each topic described once. Owns the admin client; not thread safe.
 */
final class RedriveClients implements AutoCloseable {

    private final String bootstrapServers;
    private final Map<String, String> kafkaProperties;
    private final Duration timeout;
    private final Admin admin;
    private final Map<String, Boolean> exists = new HashMap<>();

    RedriveClients(String bootstrapServers, Map<String, String> kafkaProperties, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.timeout = timeout;
        this.admin = Admin.create(adminProperties());
    }

    /** A consumer with no group that reads {@code read_committed}; the caller closes it. */
    KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic's description, or empty when it does not exist. */
    Optional<TopicDescription> describe(String name) {
        try {
            Optional<TopicDescription> d = RedriveLedger.describe(admin, name, timeout);
            exists.put(name, d.isPresent());
            return d;
        } catch (ExecutionException | TimeoutException e) {
            throw new RedriveSender.Failure("cannot describe topic " + name + ": " + explain(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedriveSender.Failure("interrupted while describing topic " + name, e);
        }
    }

    /** Fails the run when the topic does not exist; {@code what} says which topic it is to the operator. */
    void requireExisting(String name, String what) {
        Boolean known = exists.get(name);
        if (!(known != null ? known : describe(name).isPresent())) {
            throw new RedriveSender.Failure("topic " + name + " (" + what + ") does not exist: create it, or name "
                    + "another with --topic", null);
        }
    }

    /** Creates the ledger topic when it is missing. */
    void ensureLedger(String name, short replicationFactor) {
        try {
            RedriveLedger.ensureTopic(admin, name, replicationFactor, timeout);
        } catch (ExecutionException | TimeoutException e) {
            throw new RedriveSender.Failure("cannot create the ledger topic " + name + " (create it compacted, or let "
                    + "the principal CREATE it): " + explain(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedriveSender.Failure("interrupted while creating the ledger topic " + name, e);
        }
    }

    /** What went wrong, for the one error line: a timeout says which cluster and how long. */
    String explain(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RedriveSender.Failure) {
            return cause.getMessage();
        }
        if (cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "Kafka at " + bootstrapServers + " did not answer within " + timeout.toSeconds() + " s (--timeout): "
                    + cause.getMessage();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> p = clientProperties(AdminClientConfig.configNames());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ticksink-redrive-admin-" + ProcessHandle.current().pid());
        // an unreachable cluster fails the run within --timeout, not the admin default of 60 s per call
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return p;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = clientProperties(ConsumerConfig.configNames());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ticksink-redrive-" + ProcessHandle.current().pid());
        // the consumer sends dead letters in transactions: what an aborted one holds is no dead letter
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // partitions are assigned, not subscribed: no group, nothing committed
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // dead letters that retention deletes while a run reads are gone: go on from the new log start
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // reading a topic must never create it (a broker with auto.create.topics.enable would)
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // offset look-ups fail within --timeout, not the default of 60 s each
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return p;
    }

    /** The settings of a transactional producer with this id. */
    Map<String, Object> producerProperties(String transactionalId) {
        Map<String, Object> p = clientProperties(ProducerConfig.configNames());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ticksink-redrive-" + ProcessHandle.current().pid());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // a run killed midway leaves its transaction open, and read_committed consumers of the partitions it
        // wrote wait behind it: the broker aborts it after this long (a rerun aborts it at once)
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) timeout.toMillis());
        // a send, a flush or a commit that Kafka does not answer fails the transaction within --timeout
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        int request = (int) Math.min(timeout.toMillis() / 2, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), request + 1_000L));
        return p;
    }

    /** The bootstrap servers and those --kafka-property settings that the client knows. */
    private Map<String, Object> clientProperties(Set<String> known) {
        Map<String, Object> p = new HashMap<>();
        kafkaProperties.forEach((k, v) -> {
            if (known.contains(k)) {
                p.put(k, v);
            }
        });
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
