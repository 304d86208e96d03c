package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.consumer.load.LoadGenerator;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.Tick;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-node layout: three consumer JVMs of one group, each writing its own data dir. One node
 * is frozen (SIGSTOP) with a batch in its writer's hands until its partitions move, then resumed,
 * and writes that batch as a zombie; another is killed (SIGKILL) between its SQLite commit and its
 * offset commit and started again on its dir. The dirs together then hold copies of records; the
 * end-of-day merge and the union reads of the tools hold every published tick exactly once, each
 * in the day file of its UTC day.
 */
class FleetIT {

    private static final int PARTITIONS = 6;
    private static final int SYMBOLS = 32;

    private final KafkaTestCluster kafka;
    private final GroupWatch watch;

    @TempDir
    Path work;

    FleetIT(@KafkaBroker KafkaTestCluster kafka) {
        this.kafka = kafka;
        this.watch = new GroupWatch(kafka);
    }

    @Test
    void aFrozenNodeAndAKilledNodeLeaveCopiesInTheNodesDirsAndMergeAndUnionReadsHoldEachTickOnce() throws Exception {
        String topic = kafka.createTopic("fleet", PARTITIONS);
        String group = "g-" + topic;
        Path dirA = work.resolve("node-a");
        Path dirB = work.resolve("node-b");
        Path dirC = work.resolve("node-c");
        Path faultB = Files.createDirectories(work.resolve("fault-b"));
        Path faultC = Files.createDirectories(work.resolve("fault-c"));
        Set<Integer> all = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
        List<ConsumerProcess> nodes = new ArrayList<>();
        List<String> produced;
        // event time from two minutes before midnight: the stream spans two day files
        try (BackgroundLoad load = BackgroundLoad.start("--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                "--rate", "2500", "--symbols", Integer.toString(SYMBOLS), // until stopped
                "--start", "2026-01-19T23:58:00Z", "--step", "2ms", "--progress", "5s")) {
            ConsumerProcess a = start(nodes, topic, group, dirA);
            ConsumerProcess b = start(nodes, topic, group, dirB,
                    "-Dticksink.fault=before-day-write:hold", "-Dticksink.fault.dir=" + faultB);
            ConsumerProcess c = start(nodes, topic, group, dirC,
                    "-Dticksink.fault=after-day-commit:hold", "-Dticksink.fault.dir=" + faultC);
            awaitMembers(group, Set.of(a, b, c), all, nodes);
            watch.awaitProgress(group, topic, 3_000, nodes);

            // B: its writer holds a batch it has not written; freeze the JVM there, as a long GC
            // pause or a stuck disk would, until the group gives its partitions to the others
            Files.createFile(faultB.resolve("arm"));
            awaitLine(b, Faults.HOLDING + "before-day-write");
            Set<Integer> ownedByB = membersByPid(group).get(b.pid());
            b.freeze();
            assertThat(processState(b)).as("B is frozen").isEqualTo('T');
            Files.createFile(faultB.resolve("release")); // seen only once B runs again
            Map<Integer, Long> endAtFreeze = kafka.endOffsets(topic, PARTITIONS);
            awaitMembers(group, Set.of(a, c), all, List.of(a, c));
            // the new owners store and commit everything B could have read before it froze
            await("B's partitions " + ownedByB + " committed past " + endAtFreeze).atMost(Duration.ofSeconds(90)).until(() -> {
                GroupWatch.assertAlive(List.of(a, c));
                Map<Integer, Long> committed = kafka.committedOffsets(group, topic);
                return ownedByB.stream().allMatch(p -> committed.getOrDefault(p, 0L) >= endAtFreeze.get(p));
            });
            int bLogFrom = b.output().length();
            b.resume();
            awaitLine(b, "ticksink: fault released at before-day-write");
            awaitMembers(group, Set.of(a, b, c), all, nodes);
            assertThat(b.output().substring(bLogFrom)).as("B wrote its held batch as a zombie and lost its partitions")
                    .containsPattern("partitions (revoked|lost)");

            // C: its batch is in its day file, its offsets are not committed: kill -9 it right there
            Files.createFile(faultC.resolve("arm"));
            awaitLine(c, Faults.HOLDING + "after-day-commit");
            c.kill();
            assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(137);
            awaitMembers(group, Set.of(a, b), all, List.of(a, b));
            ConsumerProcess cAgain = start(nodes, topic, group, dirC);
            awaitMembers(group, Set.of(a, b, cAgain), all, List.of(a, b, cAgain));
            watch.awaitProgress(group, topic, 3_000, List.of(a, b, cAgain));

            LoadGenerator.Summary published = load.stop();
            assertThat(published.failed()).as(published.firstError()).isZero();
            Map<Integer, Long> end = new HashMap<>(kafka.endOffsets(topic, PARTITIONS));
            assertThat(end.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(published.acked());
            end.values().removeIf(offset -> offset == 0); // a partition no symbol hashes to has nothing to commit
            await("offsets committed up to " + end).atMost(Duration.ofSeconds(90)).until(() -> {
                GroupWatch.assertAlive(List.of(a, b, cAgain));
                return kafka.committedOffsets(group, topic).equals(end);
            });
            for (ConsumerProcess node : List.of(a, b, cAgain)) {
                node.terminate();
            }
            for (ConsumerProcess node : List.of(a, b, cAgain)) {
                assertThat(node.waitFor(Duration.ofSeconds(40))).as(node.output()).isZero();
            }
            produced = load.rows(published.acked());
        } finally {
            nodes.forEach(ConsumerProcess::close);
        }
        for (Path dir : List.of(dirA, dirB, dirC)) {
            assertEachTickInItsDay(dir);
        }

        // the scenario happened: read naively, the three dirs hold copies, and nothing is missing
        Map<String, Long> naive = StoredRows.of(dirA, dirB, dirC).stream()
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        assertThat(naive.keySet()).as("every published tick is in some node's dir").containsAll(new HashSet<>(produced));
        long copies = naive.values().stream().mapToLong(n -> n - 1).sum();
        assertThat(copies).as("copies of records in the nodes' dirs").isPositive();

        // the end-of-day merge into an archive dir holds each tick once, in its day
        Path archive = work.resolve("archive");
        String[] merge = {"merge", "--data-dir", archive.toString(), "--from", dirA.toString(), "--from", dirB.toString(),
                "--from", dirC.toString()};
        ToolRun first = tools(merge);
        System.out.println("naive union: " + copies + " copies; merge:\n" + first.out());
        assertThat(first.code()).as(first.out()).isZero();
        assertThat(first.out()).as("the merge dropped the copies").contains(" " + copies + " copies dropped");
        StoredRows.assertExactlyOnce(StoredRows.of(archive), produced);
        assertEachTickInItsDay(archive);
        ToolRun again = tools(merge);
        assertThat(again.code()).as(again.out()).isZero();
        assertThat(again.out()).contains(": 0 rows added");
        StoredRows.assertExactlyOnce(StoredRows.of(archive), produced);

        // union reads of the three live dirs: each source record once
        List<String> union = new ArrayList<>();
        Set<String> symbols = StoredRows.countsBySymbol(produced).keySet();
        assertThat(symbols).hasSize(SYMBOLS);
        for (String symbol : symbols) {
            ToolRun query = tools("query", "--data-dir", dirA.toString(), "--data-dir", dirB.toString(), "--data-dir",
                    dirC.toString(), "--symbol", symbol, "--from", "2026-01-19", "--to", "2026-01-21");
            assertThat(query.code()).as(query.out()).isZero();
            query.out().lines().skip(1).map(FleetIT::rowOfCsv).forEach(union::add);
        }
        StoredRows.assertExactlyOnce(union, produced);
    }

    private ConsumerProcess start(List<ConsumerProcess> nodes, String topic, String group, Path dataDir,
                                  String... jvmOptions) throws Exception {
        ConsumerProcess process = ConsumerProcess.start(work, List.of(jvmOptions), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", topic, "--group-id", group, "--data-dir", dataDir.toString(),
                "--http-port", "-1", "--batch-size", "2000", "--linger", "50ms",
                // a frozen or killed member's partitions move after 6 s instead of 45 s
                "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=1000");
        nodes.add(process);
        return process;
    }

    /** Every tick of every day file under the dir belongs to that file's UTC day. */
    private static void assertEachTickInItsDay(Path dataDir) throws Exception {
        List<Path> files = DayFiles.list(dataDir);
        assertThat(files).as("day files in " + dataDir).isNotEmpty();
        for (Path file : files) {
            var day = DayFiles.dayOf(file);
            for (Tick t : DayReader.readAll(file)) {
                if (!DayFiles.day(t.timestampMillis()).equals(day)) {
                    throw new AssertionError(file + " holds a tick of " + Instant.ofEpochMilli(t.timestampMillis()));
                }
            }
        }
    }

    /** {@code symbol,timestamp,bid,ask,...} as {@link TestTicks#row(Tick)}. */
    private static String rowOfCsv(String line) {
        String[] f = line.split(",", -1);
        return f[0] + "|" + Instant.parse(f[1]).toEpochMilli() + "|" + Double.parseDouble(f[2]) + "|" + Double.parseDouble(f[3]);
    }

    private record ToolRun(int code, String out) {
    }

    private static ToolRun tools(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = io.ticksink.tools.Main.commandLine(Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new ToolRun(code, out + err.toString());
    }


    /** The state letter of /proc/PID/stat: T when stopped by a signal. */
    private static char processState(ConsumerProcess process) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static void awaitLine(ConsumerProcess process, String line) {
        await("the log line '" + line + "'").atMost(Duration.ofSeconds(90)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the consumer exited:\n" + process.output());
            }
            return process.output().contains(line);
        });
    }

    /** Waits until exactly these processes are the group's members, each owning partitions, together owning {@code all}. */
    private void awaitMembers(String group, Set<ConsumerProcess> members, Set<Integer> all, List<ConsumerProcess> alive) {
        Set<Long> pids = members.stream().map(ConsumerProcess::pid).collect(Collectors.toSet());
        await("members " + pids + " own every partition").atMost(Duration.ofSeconds(90)).until(() -> {
            GroupWatch.assertAlive(alive);
            Map<Long, Set<Integer>> owned = membersByPid(group);
            Set<Integer> union = new HashSet<>();
            owned.values().forEach(union::addAll);
            return owned.keySet().equals(pids) && owned.values().stream().noneMatch(Set::isEmpty) && union.equals(all);
        });
    }

    /** The group's members by the pid in their client id ({@code ticksink-PID}), with the partitions each owns. */
    private Map<Long, Set<Integer>> membersByPid(String group) throws Exception {
        return watch.members(group, m -> Long.parseLong(m.clientId().substring("ticksink-".length())));
    }
}
