package io.ticksink.consumer;

import static org.awaitility.Awaitility.await;

import io.ticksink.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** A consumer group of child JVMs seen from outside: its members, its commits, its progress. */
final class GroupWatch {

    private final KafkaTestCluster kafka;

    GroupWatch(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    /** Waits until the group commits {@code ticks} more records than it has now, the given consumers running. */
    void awaitProgress(String group, String topic, long ticks, List<ConsumerProcess> alive) {
        long from = committed(group, topic);
        await("the group commits " + ticks + " more ticks").atMost(Duration.ofSeconds(90)).until(() -> {
            assertAlive(alive);
            return committed(group, topic) >= from + ticks;
        });
    }

    /** The sum of the group's committed offsets on the topic. */
    long committed(String group, String topic) {
        return kafka.committedOffsets(group, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Fails at once when a consumer that should run exited on its own (a killed or stopped one is skipped). */
    static void assertAlive(List<ConsumerProcess> consumers) {
        for (ConsumerProcess c : consumers) {
            if (!c.isAlive() && !c.stoppedByTest()) {
                throw new AssertionError("a consumer exited on its own:\n" + c.output());
            }
        }
    }

    /** The group's members, keyed as the caller says, with the partitions each owns; empty while the group does not exist yet. */
    <K> Map<K, Set<Integer>> members(String group, Function<MemberDescription, K> key) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<K, Set<Integer>> members = new HashMap<>();
            admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members()
                    .forEach(m -> members.put(key.apply(m), m.assignment().topicPartitions().stream()
                            .map(TopicPartition::partition).collect(Collectors.toSet())));
            return members;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }
}
