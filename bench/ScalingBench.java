import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Drain throughput of 1..N consumer JVMs on this machine: starts a single-node broker in this JVM,
 * pre-loads a topic with the product's load generator ({@code ticksink-consumer.jar loadgen}),
 * then for each layout (one shared data dir, or a data dir per consumer) and consumer count, runs
 * that many consumer JVMs in a fresh group and times them until the group's committed offsets
 * equal the end offsets. Prints a Markdown table.
 *
 * <p>Run with bench/scaling.sh (it builds the class path); arguments:
 * {@code [ticks=1000000] [partitions=6] [counts=1,2,3] [layouts=shared,separate] [-- consumer options...]}.
 */
public final class ScalingBench {

    private static final Path JAR = Path.of("consumer/target/ticksink-consumer.jar").toAbsolutePath();

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        List<String> consumerOptions = new ArrayList<>();
        boolean passThrough = false;
        for (String a : args) {
            if (a.equals("--")) {
                passThrough = true;
            } else if (passThrough) {
                consumerOptions.add(a);
            } else {
                positional.add(a);
            }
        }
        long ticks = positional.size() > 0 ? Long.parseLong(positional.get(0)) : 1_000_000;
        int partitions = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 6;
        String[] counts = (positional.size() > 2 ? positional.get(2) : "1,2,3").split(",");
        String[] layouts = (positional.size() > 3 ? positional.get(3) : "shared,separate").split(",");

        Path work = Files.createTempDirectory("ticksink-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String topic = "bench";
            kafka.createTopic(topic, partitions);
            long loadStart = System.nanoTime();
            int rc = run(work, "loadgen.log", List.of("java", "-jar", JAR.toString(), "loadgen", "--bootstrap-servers",
                    kafka.bootstrapServers(), "--topic", topic, "--count", String.valueOf(ticks), "--rate", "unlimited",
                    "--symbols", "64")).waitFor();
            System.out.println(Files.readString(work.resolve("loadgen.log")).strip());
            if (rc != 0) {
                throw new IllegalStateException("loadgen exited " + rc);
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
                for (String c : counts) {
                    int n = Integer.parseInt(c.strip());
                    table.add(measure(work, kafka.bootstrapServers(), admin, topic, partitions, total, layout, n,
                            consumerOptions));
                    System.out.println(table.get(table.size() - 1));
                }
            }
            System.out.println();
            System.out.printf("%,d ticks, %d partitions, %d cores, consumer options: %s%n", ticks, partitions,
                    Runtime.getRuntime().availableProcessors(), consumerOptions.isEmpty() ? "(defaults)" : consumerOptions);
            table.forEach(System.out::println);
        }
        delete(work); // kept when a run failed, for its logs
    }

    private static String measure(Path work, String bootstrap, Admin admin, String topic, int partitions, long total,
                                  String layout, int n, List<String> consumerOptions) throws Exception {
        String group = "bench-" + layout + "-" + n;
        Path runDir = work.resolve(group);
        List<Path> dataDirs = new ArrayList<>();
        List<Process> consumers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Path dataDir = layout.equals("shared") ? runDir.resolve("data") : runDir.resolve("data-" + i);
            if (!dataDirs.contains(dataDir)) {
                dataDirs.add(dataDir);
            }
            List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m", "-Dorg.sqlite.tmpdir=" + work, "-jar",
                    JAR.toString(), "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", group,
                    "--data-dir", dataDir.toString(), "--http-port", "-1", "--dlq-create"));
            cmd.addAll(consumerOptions);
            Files.createDirectories(runDir);
            consumers.add(run(runDir, "consumer-" + i + ".log", cmd));
        }
        try {
            return drain(runDir, dataDirs, consumers, admin, group, layout, n, total, start);
        } finally {
            for (Process p : consumers) {
                p.destroyForcibly(); // only left running when the measurement failed
            }
        }
    }

    private static String drain(Path runDir, List<Path> dataDirs, List<Process> consumers, Admin admin, String group,
                                String layout, int n, long total, long start) throws Exception {
        long firstCommit = 0;
        long committedAtFirst = 0;
        long committed = 0;
        long deadline = start + Duration.ofMinutes(Long.getLong("bench.timeoutMinutes", 10)).toNanos();
        while (committed < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not drain in time; logs in " + runDir);
            }
            for (Process p : consumers) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a consumer exited " + p.exitValue() + "; logs in " + runDir);
                }
            }
            Thread.sleep(100); // polling interval of the measurement, not synchronisation
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            committed = offsets.values().stream().filter(o -> o != null).mapToLong(o -> o.offset()).sum();
            if (firstCommit == 0 && committed > 0) {
                firstCommit = System.nanoTime();
                committedAtFirst = committed;
            }
        }
        long end = System.nanoTime();
        for (Process p : consumers) {
            p.destroy();
        }
        for (Process p : consumers) {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("a consumer did not stop cleanly; logs in " + runDir);
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

    private static Process run(Path dir, String log, List<String> command) throws IOException {
        Files.createDirectories(dir);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    private static Map<TopicPartition, OffsetSpec> specs(String topic, int partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> specs = new java.util.HashMap<>();
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
