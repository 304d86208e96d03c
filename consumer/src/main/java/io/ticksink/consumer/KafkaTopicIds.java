package io.ticksink.consumer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic ids read from the cluster with an admin client. A lookup that fails (the broker away, not
 * authorized to describe the topic) answers null, and the partition's incarnation stays unnamed:
 * the day files then keep the positions they have, as before incarnations existed.
 *
 * <p>Thread safety: used by the consumer thread only; the admin client is the caller's to close.
 */
final class KafkaTopicIds implements PartitionIncarnations.TopicIds {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopicIds.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;

    KafkaTopicIds(Admin admin) {
        this.admin = admin;
    }

    @Override
    public CompletableFuture<String> lookup(String topic) {
        return admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage().toCompletableFuture()
                .thenApply(described -> {
                    TopicDescription description = described.get(topic);
                    return description == null ? null : description.topicId().toString();
                })
                .exceptionally(e -> null); // the next check asks again
    }

    @Override
    public String idOf(String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return description == null ? null : description.topicId().toString();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.warn("cannot learn the id of topic {} ({}); offsets that go back are reported, but a recreated topic "
                    + "is not told from the old one", topic, cause.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
