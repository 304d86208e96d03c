package io.ticksink.tools;

import java.util.Set;

/**
 * Which dead letters a redrive chooses: all of the given conditions hold (an absent one holds for
 * every dead letter). Pure and immutable.
 *
 * @param reasons the reasons chosen; empty: any
 * @param sourcePartitions the source partitions chosen; empty: any
 * @param fromOffset the first source offset chosen (included), or null
 * @param toOffset the last source offset chosen (included), or null
 * @param since the first dead-letter time chosen, epoch ms (included), or null
 * @param until the dead-letter time where the choice ends, epoch ms (excluded), or null
 */
record RedriveFilter(Set<String> reasons, Set<Integer> sourcePartitions, Long fromOffset, Long toOffset, Long since,
                     Long until) {

    static final RedriveFilter ALL = new RedriveFilter(Set.of(), Set.of(), null, null, null, null);

    RedriveFilter {
        reasons = Set.copyOf(reasons);
        sourcePartitions = Set.copyOf(sourcePartitions);
    }

    boolean accepts(DeadLetter d) {
        return (reasons.isEmpty() || reasons.contains(d.reason()))
                && (sourcePartitions.isEmpty() || sourcePartitions.contains(d.sourcePartition()))
                && (fromOffset == null || d.sourceOffset() >= fromOffset)
                && (toOffset == null || d.sourceOffset() <= toOffset)
                && (since == null || d.time() >= since)
                && (until == null || d.time() < until);
    }
}
