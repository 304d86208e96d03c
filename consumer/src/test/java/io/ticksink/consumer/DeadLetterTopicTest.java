package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/**
 * The start-up check of the dead-letter topic where the broker's answer is the point: an
 * authorization failure, which the test broker (no authorizer) cannot give. The missing and the
 * created topic are proven against a real broker in {@link DeadLetterFailuresIT}.
 */
class DeadLetterTopicTest {

    @Test
    void notBeingAuthorizedToDescribeTheDeadLetterTopicStopsTheStartNamingTheTopicAndThePermissions() {
        Admin admin = adminAnsweringDescribe(new TopicAuthorizationException("Topic authorization failed."));

        assertThatThrownBy(() -> DeadLetterTopic.ensure(admin, "ticks.dlq", "ticks", true, "kafka:9092"))
                .isInstanceOf(ConsumerApp.StartException.class)
                .hasMessageContaining("ticks.dlq")
                .hasMessageContaining("TopicAuthorizationException")
                .hasMessageContaining("DESCRIBE and WRITE");
    }

    /** An admin client whose every describeTopics fails with {@code error}; nothing else is expected of it. */
    private static Admin adminAnsweringDescribe(Exception error) {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("describeTopics")) {
                        KafkaFutureImpl<TopicDescription> failed = new KafkaFutureImpl<>();
                        failed.completeExceptionally(error);
                        Map<String, KafkaFuture<TopicDescription>> byName = Map.of("ticks.dlq", failed);
                        return new DescribeTopicsResult(null, byName) {
                        };
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
