package io.ticksink.consumer;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which incarnation of each partition the consumer reads, so that offsets that go backwards are
 * never taken for records already stored. A partition's offsets are only unique within one
 * incarnation: a topic deleted and created again restarts at offset 0 under a new topic id, and an
 * unclean leader election hands out offsets again under the same id. The incarnation is the
 * topic's id, with a mark {@code #<n>@<offset>} for the n-th time offsets went back under it.
 *
 * <p>It travels with the data: each Kafka chunk's fingerprint (a day file that stored another
 * incarnation starts the stream afresh, see {@code DayDatabase.write}), and each committed
 * offset's metadata, from which a restarted consumer learns it again.
 *
 * <p>Offsets go back when a poll returns a partition's records below the offset the consumer was
 * positioned at: its committed offset at assignment, then one past the last record polled. Each
 * such event is logged as an error and counted ({@code ticksink_offsets_reset_total}).
 *
 * <p>Not thread safe: owned by the consumer thread (the loop and the rebalance listener).
 */
final class PartitionIncarnations implements DecodedBatch.Incarnations {

    /** A topic's id, or null when it cannot be learned (the incarnation then stays unnamed). */
    interface TopicIds {
        String idOf(String topic);

        /** Asks the cluster again: after offsets went back, the topic may have been created anew. */
        default String refresh(String topic) {
            return idOf(topic);
        }

        /** The same lookup without blocking the caller: the loop checks its topics' ids now and then. */
        default CompletableFuture<String> lookup(String topic) {
            return CompletableFuture.completedFuture(refresh(topic));
        }

        TopicIds UNKNOWN = topic -> null;
    }

    static final String METADATA_PREFIX = "ticksink-incarnation=";
    private static final Logger log = LoggerFactory.getLogger(PartitionIncarnations.class);

    private final TopicIds topicIds;
    private final ConsumerMetrics metrics;
    private final Map<TopicPartition, Partition> partitions = new HashMap<>();
    private final Map<String, String> ids = new HashMap<>();
    /** Lookups of {@link #recheck} still under way, per topic. */
    private final Map<String, CompletableFuture<String>> pending = new HashMap<>();
    private int version;

    private static final class Partition {
        String incarnation;
        /** The offset of the next record expected; -1 when unknown (no committed offset). */
        long expectedNext = -1;
    }

    PartitionIncarnations(TopicIds topicIds, ConsumerMetrics metrics) {
        this.topicIds = topicIds;
        this.metrics = metrics;
    }

    /**
     * Partitions assigned, with their committed offsets (a null value when there is none). Returns
     * the partitions whose committed offset belongs to another incarnation of the topic than the
     * current one: it means nothing there, and they are to be read from their beginning.
     */
    Set<TopicPartition> assigned(Collection<TopicPartition> assigned, Map<TopicPartition, OffsetAndMetadata> committed) {
        // Asked again at every assignment, not taken from what was learned before: a topic deleted
        // and created again while this consumer ran comes back as an assignment, most often with
        // no committed offset (the group's offsets are deleted with the topic), so no offset going
        // back would reveal it. One lookup per topic; if it fails, the id known before is kept.
        Map<String, String> before = new HashMap<>();
        for (String topic : topicsOf(assigned)) {
            String now = topicIds.refresh(topic);
            if (now != null) {
                String known = ids.put(topic, now);
                if (known != null && !known.equals(now)) {
                    before.put(topic, known);
                }
            }
        }
        Set<TopicPartition> stale = new HashSet<>();
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            String current = idOf(tp.topic());
            Partition p = new Partition();
            String stored = offset == null ? null : incarnationIn(offset.metadata());
            // an incarnation stored while the id could not be learned ("null") is kept as it is
            if (stored != null && current != null && !topicIdOf(stored).equals(current)
                    && !topicIdOf(stored).equals(String.valueOf((Object) null))) {
                log.error("the committed offset {} of {} was committed for topic id {}, but the topic's id is now {}: "
                        + "the topic was deleted and created again. Its records are read from the beginning and stored "
                        + "as a new incarnation of the partition", offset.offset(), tp, topicIdOf(stored), current);
                metrics.offsetsWentBack(tp, "topic-recreated");
                p.incarnation = current;
                stale.add(tp);
            } else if (before.containsKey(tp.topic())) {
                // an offset that does not name the new id was committed before the topic was created
                // again (by a version that kept no incarnation, or while the id was unknown): of the old topic
                boolean ofNewTopic = offset != null && stored != null && topicIdOf(stored).equals(current);
                log.error("{} is assigned again under topic id {}, not {} as when this consumer read it last: the topic "
                        + "was deleted and created again. Its records are read from {} and stored as a new incarnation "
                        + "of the partition; ticks of the old topic stay stored. Check who deleted the topic, and "
                        + "whether its producers lost records meanwhile", tp, current, before.get(tp.topic()),
                        ofNewTopic ? "the committed offset " + offset.offset() : "the beginning");
                metrics.offsetsWentBack(tp, "topic-recreated");
                if (ofNewTopic) {
                    p.incarnation = stored;
                    p.expectedNext = offset.offset();
                } else {
                    p.incarnation = current;
                    if (offset != null) {
                        stale.add(tp);
                    }
                }
            } else {
                p.incarnation = stored != null ? stored : current;
                p.expectedNext = offset == null ? -1 : offset.offset();
            }
            partitions.put(tp, p);
        }
        version++;
        return stale;
    }

    private static Set<String> topicsOf(Collection<TopicPartition> partitions) {
        Set<String> topics = new HashSet<>();
        for (TopicPartition tp : partitions) {
            topics.add(tp.topic());
        }
        return topics;
    }

    /**
     * Looks whether a topic of the owned partitions was created anew while the member kept its
     * partitions (no rebalance, no offset going back: the new topic already held more records than
     * the old position). Never blocks: the first call starts the lookups, a later one reads them.
     * Returns the partitions whose topic has a new id: they take it as their incarnation and are to
     * be read again from their beginning.
     */
    Set<TopicPartition> recheck(Collection<TopicPartition> owned) {
        Set<TopicPartition> recreated = new HashSet<>();
        for (String topic : topicsOf(owned)) {
            CompletableFuture<String> lookup = pending.computeIfAbsent(topic, topicIds::lookup);
            if (!lookup.isDone()) {
                continue;
            }
            pending.remove(topic);
            String now = lookup.getNow(null);
            String known = ids.get(topic);
            if (now == null) {
                continue;
            }
            ids.put(topic, now);
            if (known == null || known.equals(now)) {
                continue;
            }
            for (TopicPartition tp : owned) {
                Partition p = partitions.get(tp);
                if (!tp.topic().equals(topic) || p != null && p.incarnation != null && topicIdOf(p.incarnation).equals(now)) {
                    continue;
                }
                log.error("the topic of {} was deleted and created again while this consumer kept it (topic id {} -> {}): "
                        + "it is read again from its beginning and stored as a new incarnation; records of the new "
                        + "topic read before this check may be stored twice", tp, known, now);
                metrics.offsetsWentBack(tp, "topic-recreated");
                Partition fresh = new Partition();
                fresh.incarnation = now;
                partitions.put(tp, fresh);
                recreated.add(tp);
            }
        }
        if (!recreated.isEmpty()) {
            version++;
        }
        return recreated;
    }

    /** Partitions revoked or lost: what is known of them is stale once they return. */
    void released(Collection<TopicPartition> released) {
        partitions.keySet().removeAll(released);
        version++;
    }

    /** Looks at a poll's records before they are decoded: spots offsets that went back. */
    void polled(ConsumerRecords<?, ?> records) {
        for (TopicPartition tp : records.partitions()) {
            List<? extends ConsumerRecord<?, ?>> polled = records.records(tp);
            long first = polled.get(0).offset();
            Partition p = partitions.computeIfAbsent(tp, t -> {
                Partition fresh = new Partition();
                fresh.incarnation = idOf(t.topic());
                return fresh;
            });
            if (p.expectedNext >= 0 && first < p.expectedNext) {
                wentBack(tp, p, first);
            }
            p.expectedNext = polled.get(polled.size() - 1).offset() + 1;
        }
    }

    private void wentBack(TopicPartition tp, Partition p, long first) {
        String before = p.incarnation;
        String now = topicIds.refresh(tp.topic());
        if (now != null) {
            ids.put(tp.topic(), now);
        }
        String beforeId = before == null ? null : topicIdOf(before);
        if (now != null && !now.equals(beforeId)) {
            p.incarnation = now;
            log.error("offsets of {} went back from {} to {}: the topic was deleted and created again (topic id {} -> {}). "
                    + "Its records are stored as a new incarnation of the partition; nothing of the old one is "
                    + "overwritten", tp, p.expectedNext, first, beforeId, now);
            metrics.offsetsWentBack(tp, "topic-recreated");
        } else {
            p.incarnation = String.valueOf(beforeId) + "#" + (resets(before) + 1) + "@" + first;
            log.error("offsets of {} went back from {} to {} under the same topic id {} (an unclean leader election, "
                    + "or the log truncated): the records from offset {} on are stored as a new incarnation of the "
                    + "partition ({}); records the old offsets named stay stored. Check the brokers' "
                    + "unclean.leader.election.enable and what producers lost", tp, p.expectedNext, first, beforeId,
                    first, p.incarnation);
            metrics.offsetsWentBack(tp, "offsets-reused");
        }
        version++;
    }

    @Override
    public String of(TopicPartition tp) {
        Partition p = partitions.get(tp);
        return p == null ? idOf(tp.topic()) : p.incarnation;
    }

    @Override
    public int version() {
        return version;
    }

    private String idOf(String topic) {
        return ids.computeIfAbsent(topic, topicIds::idOf);
    }

    /** The metadata committed with an offset of the incarnation. */
    static String metadataOf(String incarnation) {
        return incarnation == null ? "" : METADATA_PREFIX + incarnation;
    }

    static String incarnationIn(String metadata) {
        return metadata != null && metadata.startsWith(METADATA_PREFIX) ? metadata.substring(METADATA_PREFIX.length()) : null;
    }

    private static String topicIdOf(String incarnation) {
        int mark = incarnation.indexOf('#');
        return mark < 0 ? incarnation : incarnation.substring(0, mark);
    }

    private static int resets(String incarnation) {
        if (incarnation == null) {
            return 0;
        }
        int mark = incarnation.indexOf('#');
        int at = incarnation.indexOf('@', mark + 1);
        return mark < 0 || at < 0 ? 0 : Integer.parseInt(incarnation.substring(mark + 1, at));
    }
}
