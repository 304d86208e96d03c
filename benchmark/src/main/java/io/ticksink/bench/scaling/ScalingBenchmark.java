package io.ticksink.bench.scaling;

import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Drain throughput of 1..N consumer JVMs on this machine: starts a single-node broker in this JVM,
 * pre-loads a topic with the product's load generator ({@code ticksink-consumer.jar loadgen}),
 * then for each layout (one shared data dir, or a data dir per consumer) and consumer count, runs
 * that many consumer JVMs in a fresh group and times them until the group's committed offsets
 * equal the end offsets. Prints a Markdown table. A failed run keeps its scratch directory, with
 * every child's log, and says where.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drain throughput of 1..N consumer JVMs into one shared data dir and into a data dir each; "
                + "prints a Markdown table. Takes a few minutes at the default size: run it on an otherwise idle machine.")
public final class ScalingBenchmark implements Callable<Integer> {

    @Option(names = "--ticks", defaultValue = "1000000", description = "Ticks pre-loaded (default: ${DEFAULT-VALUE}).")
    long ticks;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--counts", split = ",", defaultValue = "1,2,3",
            description = "Consumer JVMs per run (default: ${DEFAULT-VALUE}).")
    List<Integer> counts;

    @Option(names = "--layouts", split = ",", defaultValue = "shared,separate", paramLabel = "shared|separate",
            description = "One data dir for all, or one each (default: ${DEFAULT-VALUE}).")
    List<String> layouts;

    @Option(names = "--consumer-jar", defaultValue = "consumer/target/ticksink-consumer.jar",
            description = "The consumer's jar (default: ${DEFAULT-VALUE}).")
    Path consumerJar;

    @Option(names = "--timeout-minutes", defaultValue = "10",
            description = "How long one run may take to drain before it fails (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Parameters(paramLabel = "CONSUMER-OPTION", description = "After --: options given to every consumer, "
            + "e.g. -- --sqlite-synchronous NORMAL.")
    List<String> consumerOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (String layout : layouts) {
            if (!layout.equals("shared") && !layout.equals("separate")) {
                throw new IllegalArgumentException("--layouts takes shared and separate, not " + layout);
            }
        }
        Path jar = consumerJar.toAbsolutePath();
        Path work = Files.createTempDirectory("ticksink-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String topic = "bench";
            kafka.createTopic(topic, partitions);
            long loadStart = System.nanoTime();
            int rc;
            try (ChildJvm loadgen = ChildJvm.jar(jar).workDir(work).log(work.resolve("loadgen.log"))
                    .args("loadgen", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
                            "--count", String.valueOf(ticks), "--rate", "unlimited", "--symbols", "64")
                    .start()) {
                rc = loadgen.awaitExit(Duration.ofMinutes(timeoutMinutes));
                System.out.println(loadgen.output().strip());
            }
            if (rc != 0) {
                throw new IllegalStateException("loadgen exited " + rc + "; its log in " + work);
            }
            System.out.printf("pre-loaded %,d ticks over %d partitions in %.1f s%n", ticks, partitions, secs(loadStart));
            long total = total(admin.listOffsets(specs(topic, partitions, OffsetSpec.latest())).all().get().values()
                    .stream().mapToLong(i -> i.offset()).toArray());
            if (total != ticks) {
                throw new IllegalStateException("the topic holds " + total + " ticks, not " + ticks);
            }

            List<String> table = new ArrayList<>();
            table.add("| data dir | consumers | drain time (s) | ticks/s (wall, incl. JVM start + join) | ticks/s (first to last commit) | rows stored |");
            table.add("|---|---:|---:|---:|---:|---:|");
            for (String layout : layouts) {
                for (int n : counts) {
                    table.add(measure(jar, work, kafka.bootstrapServers(), admin, topic, total, layout, n));
                    System.out.println(table.get(table.size() - 1));
                }
            }
            System.out.println();
            System.out.printf("%,d ticks, %d partitions, %d cores, consumer options: %s%n", ticks, partitions,
                    Runtime.getRuntime().availableProcessors(), consumerOptions.isEmpty() ? "(defaults)" : consumerOptions);
            table.forEach(System.out::println);
        }
        delete(work); // kept when a run failed, for its logs
        return 0;
    }

    private String measure(Path jar, Path work, String bootstrap, Admin admin, String topic, long total, String layout,
                           int n) throws Exception {
        String group = "bench-" + layout + "-" + n;
        Path runDir = work.resolve(group);
        List<Path> dataDirs = new ArrayList<>();
        List<ChildJvm> consumers = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                Path dataDir = layout.equals("shared") ? runDir.resolve("data") : runDir.resolve("data-" + i);
                if (!dataDirs.contains(dataDir)) {
                    dataDirs.add(dataDir);
                }
                consumers.add(ChildJvm.jar(jar).jvmOptions("-Xmx512m").systemProperty("org.sqlite.tmpdir", work.toString())
                        .workDir(runDir).log(runDir.resolve("consumer-" + i + ".log"))
                        .args("--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", group,
                                "--data-dir", dataDir.toString(), "--http-port", "-1", "--dlq-create")
                        .args(consumerOptions)
                        .start());
            }
            return drain(runDir, dataDirs, consumers, admin, group, layout, n, total, start);
        } finally {
            consumers.forEach(ChildJvm::close); // only left running when the measurement failed
        }
    }

    private long timeoutNanos() {
        return Duration.ofMinutes(timeoutMinutes).toNanos();
    }

    private String drain(Path runDir, List<Path> dataDirs, List<ChildJvm> consumers, Admin admin, String group,
                         String layout, int n, long total, long start) throws Exception {
        long firstCommit = 0;
        long committedAtFirst = 0;
        long committed = 0;
        long deadline = start + timeoutNanos();
        while (committed < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not drain in time; logs in " + runDir);
            }
            for (ChildJvm c : consumers) {
                if (!c.isAlive()) {
                    throw new IllegalStateException("a consumer exited " + c.process().exitValue() + "; logs in " + runDir);
                }
            }
            Thread.sleep(100); // the measurement's sampling interval of the committed offsets
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            committed = offsets.values().stream().filter(o -> o != null).mapToLong(o -> o.offset()).sum();
            if (firstCommit == 0 && committed > 0) {
                firstCommit = System.nanoTime();
                committedAtFirst = committed;
            }
        }
        long end = System.nanoTime();
        for (ChildJvm c : consumers) {
            c.terminate();
        }
        for (ChildJvm c : consumers) {
            int status = c.awaitExit(Duration.ofSeconds(60));
            if (status != 0) {
                throw new IllegalStateException("a consumer exited " + status + " on SIGTERM; logs in " + runDir);
            }
        }
        long rows = 0;
        for (Path dir : dataDirs) {
            for (Path file : DayFiles.list(dir)) {
                rows += DayReader.count(file);
            }
        }
        double wall = (end - start) / 1e9;
        double steady = (end - firstCommit) / 1e9;
        String line = String.format("| %s | %d | %.1f | %,.0f | %,.0f | %,d |", layout, n, wall, total / wall,
                (total - committedAtFirst) / steady, rows);
        delete(runDir);
        return line;
    }

    private static Map<TopicPartition, OffsetSpec> specs(String topic, int partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), spec);
        }
        return specs;
    }

    private static long total(long[] values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }

    private static double secs(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
