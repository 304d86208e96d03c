package io.ticksink.consumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of the dead-letter topic: it must exist before the first reject is sent,
 * since a send to a missing topic blocks until the producer gives up and the stream then waits on
 * it. A missing topic is created when {@code --dlq-create} allows it (with the partition count and
 * replication factor of the source topic, else the broker's defaults), otherwise the start fails
 * with one message naming the topic and the option. Not being authorized to describe or create it
 * fails the start too. Runs once, on the starting thread.
 */
final class DeadLetterTopic {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterTopic.class);
    /** How long the check waits for the cluster to answer before the start fails. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

    private DeadLetterTopic() {
    }

    /** Checks (and, when allowed, creates) the dead-letter topic of {@code config}. */
    static void ensure(ConsumerConfig config, String bootstrap, boolean create) throws ConsumerApp.StartException {
        try (Admin admin = Admin.create(adminProperties(config, bootstrap))) {
            ensure(admin, config.dlqTopic(), config.topic, create, bootstrap);
        } catch (KafkaException e) {
            throw failure("cannot check dead-letter topic " + config.dlqTopic() + " with an admin client", e);
        }
    }

    /** Checks (and, when allowed, creates) {@code topic} through {@code admin}, which stays open. */
    static void ensure(Admin admin, String topic, String sourceTopic, boolean create, String bootstrap)
            throws ConsumerApp.StartException {
        try {
            if (describe(admin, topic).isPresent()) {
                return;
            }
            if (!create) {
                throw new ConsumerApp.StartException("dead-letter topic " + topic + " does not exist: create it (e.g. "
                        + "with the partitions and replication factor of " + sourceTopic + "), or start with "
                        + "--dlq-create to let the consumer create it", null);
            }
            Optional<TopicDescription> source = describe(admin, sourceTopic);
            Optional<Integer> partitions = source.map(d -> d.partitions().size());
            Optional<Short> replication = source.map(d -> (short) d.partitions().get(0).replicas().size());
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replication))).all()
                        .get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("created the missing dead-letter topic {}: {} partition(s), replication factor {}", topic,
                        partitions.map(String::valueOf).orElse("the broker's default"),
                        replication.map(String::valueOf).orElse("the broker's default"));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another consumer of the group was faster
                    throw failure("cannot create dead-letter topic " + topic + " (--dlq-create)", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsumerApp.StartException("interrupted while checking dead-letter topic " + topic, e);
        } catch (TimeoutException e) {
            throw new ConsumerApp.StartException("cannot check dead-letter topic " + topic + ": Kafka at " + bootstrap
                    + " did not answer within " + CHECK_TIMEOUT.toSeconds() + " s", e);
        } catch (KafkaException e) {
            throw failure("cannot check dead-letter topic " + topic, e);
        }
    }

    /** The topic's description, or empty when it does not exist. */
    private static Optional<TopicDescription> describe(Admin admin, String topic)
            throws InterruptedException, TimeoutException, ConsumerApp.StartException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw failure("cannot describe topic " + topic, e.getCause());
        }
    }

    private static ConsumerApp.StartException failure(String what, Throwable cause) {
        String hint = cause instanceof AuthorizationException
                ? " (the consumer's principal needs DESCRIBE and WRITE on it, and CREATE for --dlq-create)" : "";
        return new ConsumerApp.StartException(what + ": " + cause.getClass().getSimpleName() + ": "
                + cause.getMessage() + hint, cause);
    }

    /** The bootstrap servers and the pass-through Kafka settings an admin client knows (security). */
    static Map<String, Object> adminProperties(ConsumerConfig config, String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        config.kafkaProperties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ticksink-admin-" + ProcessHandle.current().pid());
        // one check at start: fail it within the bound below rather than the admin default of 60 s
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        return p;
    }
}
