package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.consumer.load.LoadGenerator;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several consumer JVMs in one group, sharing one data dir, while the load generator publishes
 * symbol-keyed ticks: members crash (SIGKILL, or a halt between the SQLite and the offset
 * commit), leave (SIGTERM), join and restart, and the day files end up holding exactly the
 * published ticks, none lost and none twice.
 */
class ScalingIT {

    private static final int PARTITIONS = 6;

    private final KafkaTestCluster kafka;
    private final GroupWatch watch;

    @TempDir
    Path work;

    ScalingIT(@KafkaBroker KafkaTestCluster kafka) {
        this.kafka = kafka;
        this.watch = new GroupWatch(kafka);
    }

    @Test
    void membersCrashingLeavingAndJoiningMidStreamStoreEveryPublishedTickExactlyOnce() throws Exception {
        String topic = kafka.createTopic("churn", PARTITIONS);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
        List<ConsumerProcess> consumers = new ArrayList<>();
        // event time from a minute before midnight: batches span two day files; it publishes until
        // the test stops it, so that every step happens mid-stream however long the steps take
        try (BackgroundLoad load = BackgroundLoad.start("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--rate", "2500", "--symbols", "64", "--start", "2026-01-19T23:59:00Z",
                "--step", "3ms", "--progress", "5s")) {
            ConsumerProcess a = start(consumers, topic, group, dataDir);
            ConsumerProcess b = start(consumers, topic, group, dataDir);
            ConsumerProcess c = start(consumers, topic, group, dataDir);
            awaitAssignment(group, 3, all, consumers);
            watch.awaitProgress(group, topic, 3_000, consumers);

            a.kill();
            awaitAssignment(group, 2, all, consumers);
            awaitPublishing(load, "still publishing after the crash");
            watch.awaitProgress(group, topic, 3_000, consumers);

            b.terminate();
            assertThat(b.waitFor(Duration.ofSeconds(40))).as(b.output()).isZero();
            awaitAssignment(group, 1, all, consumers);
            watch.awaitProgress(group, topic, 3_000, consumers);

            // d joins, then halts as kill -9 would at the worst moment: its 3rd batch is in the
            // shared day files but not committed, so c must read it again and skip every tick of it
            ConsumerProcess d = start(consumers, topic, group, dataDir, "-Dticksink.fault=before-offset-commit:3");
            int cLogFrom = c.output().length();
            assertThat(d.waitFor(Duration.ofSeconds(90))).as(d.output()).isEqualTo(Faults.HALT_STATUS);
            awaitAssignment(group, 1, all, List.of(c));
            watch.awaitProgress(group, topic, 3_000, List.of(c));
            assertThat(c.output().substring(cLogFrom)).as("c skipped d's stored but uncommitted batch")
                    .containsPattern("skipped \\d+ redelivered ticks already stored");

            ConsumerProcess e = start(consumers, topic, group, dataDir);
            awaitAssignment(group, 2, all, List.of(c, e));
            watch.awaitProgress(group, topic, 3_000, List.of(c, e));
            awaitPublishing(load, "still publishing when the last member joined");

            LoadGenerator.Summary published = load.stop();
            assertThat(published.failed()).as(published.firstError()).isZero();
            Map<Integer, Long> end = kafka.endOffsets(topic, PARTITIONS);
            assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(published.acked());
            await("offsets committed up to " + end).atMost(Duration.ofSeconds(90)).until(() -> {
                GroupWatch.assertAlive(List.of(c, e));
                return kafka.committedOffsets(group, topic).equals(end);
            });
            c.terminate();
            e.terminate();
            assertThat(c.waitFor(Duration.ofSeconds(40))).as(c.output()).isZero();
            assertThat(e.waitFor(Duration.ofSeconds(40))).as(e.output()).isZero();

            List<String> produced = load.rows(published.acked());
            List<String> stored = StoredRows.of(dataDir);
            StoredRows.assertExactlyOnce(stored, produced);
            assertThat(StoredRows.countsBySymbol(stored)).hasSize(64).isEqualTo(StoredRows.countsBySymbol(produced));
        } finally {
            consumers.forEach(ConsumerProcess::close);
        }
    }

    @Test
    void aStaticMemberRestartedWithinTheSessionTimeoutGetsItsPartitionsBackAndTheOthersKeepTheirs() throws Exception {
        String topic = kafka.createTopic("static", PARTITIONS);
        String group = "g-" + topic;
        Path dataDir = work.resolve("data");
        Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
        List<ConsumerProcess> consumers = new ArrayList<>();
        try (BackgroundLoad load = BackgroundLoad.start("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--rate", "2000", "--symbols", "32", "--progress", "5s")) { // until stopped
            // a session timeout well above the restart time: the group waits for the member instead of rebalancing
            String[] staticMember = {"--kafka-property", "session.timeout.ms=45000"};
            ConsumerProcess m1 = start(consumers, topic, group, dataDir, "--group-instance-id", "m1", staticMember[0], staticMember[1]);
            ConsumerProcess m2 = start(consumers, topic, group, dataDir, "--group-instance-id", "m2", staticMember[0], staticMember[1]);
            ConsumerProcess m3 = start(consumers, topic, group, dataDir, "--group-instance-id", "m3", staticMember[0], staticMember[1]);
            await("three static members own every partition").atMost(Duration.ofSeconds(90)).until(() -> {
                GroupWatch.assertAlive(consumers);
                Map<String, Set<Integer>> members = membersByInstance(group);
                return members.keySet().equals(Set.of("m1", "m2", "m3")) && union(members).equals(all)
                        && members.values().stream().allMatch(p -> p.size() == 2);
            });
            Map<String, Set<Integer>> before = membersByInstance(group);
            watch.awaitProgress(group, topic, 2_000, consumers);

            // every view of the group from here on, while m2 is down and after it is back
            List<Map<String, Set<Integer>>> seen = new ArrayList<>();
            int m1LogFrom = m1.output().length();
            int m3LogFrom = m3.output().length();
            m2.terminate();
            assertThat(m2.waitFor(Duration.ofSeconds(40))).as(m2.output()).isZero();
            seen.add(membersByInstance(group));
            ConsumerProcess m2again = start(consumers, topic, group, dataDir, "--group-instance-id", "m2",
                    staticMember[0], staticMember[1]);
            await("m2 back with its partitions").atMost(Duration.ofSeconds(60)).until(() -> {
                GroupWatch.assertAlive(List.of(m1, m3, m2again));
                seen.add(membersByInstance(group));
                return m2again.output().contains("partitions assigned");
            });
            watch.awaitProgress(group, topic, 2_000, List.of(m1, m3, m2again));
            seen.add(membersByInstance(group));

            assertThat(seen).as("the group never reshuffled").allSatisfy(view -> assertThat(view).isEqualTo(before));
            assertThat(assignedInLog(m2again, topic)).as(m2again.output()).isEqualTo(before.get("m2"));
            assertThat(m1.output().substring(m1LogFrom) + m3.output().substring(m3LogFrom))
                    .as("m1 and m3 neither gave up nor gained a partition during the restart")
                    .doesNotContain("partitions revoked").doesNotContain("partitions lost").doesNotContain("partitions assigned");

            LoadGenerator.Summary published = load.stop();
            assertThat(published.failed()).as(published.firstError()).isZero();
            Map<Integer, Long> end = kafka.endOffsets(topic, PARTITIONS);
            await("offsets committed up to " + end).atMost(Duration.ofSeconds(90)).until(() -> {
                GroupWatch.assertAlive(List.of(m1, m3, m2again));
                return kafka.committedOffsets(group, topic).equals(end);
            });
            for (ConsumerProcess m : List.of(m1, m3, m2again)) {
                m.terminate();
            }
            for (ConsumerProcess m : List.of(m1, m3, m2again)) {
                assertThat(m.waitFor(Duration.ofSeconds(40))).as(m.output()).isZero();
            }
            StoredRows.assertExactlyOnce(StoredRows.of(dataDir), load.rows(published.acked()));
        } finally {
            consumers.forEach(ConsumerProcess::close);
        }
    }

    private ConsumerProcess start(List<ConsumerProcess> consumers, String topic, String group, Path dataDir,
                                  String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--group-id", group, "--data-dir", dataDir.toString(), "--http-port", "-1",
                // small batches: many commits, so crashes and rebalances land between them
                "--batch-size", "2000", "--linger", "50ms",
                // a SIGKILLed member's partitions move after 6 s instead of 45 s
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000"));
        List<String> jvm = new ArrayList<>();
        for (String option : extra) {
            (option.startsWith("-D") ? jvm : args).add(option);
        }
        ConsumerProcess process = ConsumerProcess.start(work, jvm, args.toArray(String[]::new));
        consumers.add(process);
        return process;
    }

    /** Waits until the group has exactly {@code members} members, each owning partitions, together owning {@code all}. */
    /** Waits until the load publishes more than it had: it runs on through the step just taken. */
    private static void awaitPublishing(BackgroundLoad load, String what) {
        long acked = load.acked();
        await(what).atMost(Duration.ofSeconds(60)).until(() -> {
            assertThat(load.isRunning()).as("the load generator ended by itself").isTrue();
            return load.acked() > acked + 500;
        });
    }

    private void awaitAssignment(String group, int members, Set<Integer> all, List<ConsumerProcess> consumers) {
        await(members + " members own every partition").atMost(Duration.ofSeconds(90)).until(() -> {
            GroupWatch.assertAlive(consumers);
            Map<String, Set<Integer>> owned = membersByInstance(group);
            return owned.size() == members && owned.values().stream().noneMatch(Set::isEmpty) && union(owned).equals(all);
        });
    }

    private static Set<Integer> union(Map<String, Set<Integer>> members) {
        Set<Integer> union = new HashSet<>();
        members.values().forEach(union::addAll);
        return union;
    }

    /** The partitions of the last "partitions assigned" line of a consumer's log. */
    private static Set<Integer> assignedInLog(ConsumerProcess consumer, String topic) {
        String log = consumer.output();
        String line = log.substring(log.lastIndexOf("partitions assigned"));
        line = line.substring(0, line.indexOf('\n'));
        Set<Integer> partitions = new HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(topic) + "-(\\d+)").matcher(line);
        while (m.find()) {
            partitions.add(Integer.parseInt(m.group(1)));
        }
        return partitions;
    }

    /** The group's members by {@code group.instance.id} for static members, else by member id, with their partitions. */
    private Map<String, Set<Integer>> membersByInstance(String group) throws Exception {
        return watch.members(group, m -> m.groupInstanceId().orElse(m.consumerId()));
    }
}
