package io.ticksink.bench;

import io.ticksink.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end benchmark, every figure from one run on one machine: (a) a bare Kafka consumer
 * polling and parsing, (b) a bare single-threaded SQLite insert loop, (c) the consumer draining a
 * pre-loaded topic, (d) end-to-end latency at steady rates, (e) the migrator, (f) peak heap and RSS.
 */
@Command(name = "ticksink-benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures ticksink against its bare baselines on this machine and prints a Markdown table.")
public final class Benchmark implements Callable<Integer> {

    @Option(names = "--ticks", defaultValue = "1000000", description = "Ticks pre-loaded for the drain (default: ${DEFAULT-VALUE}).")
    long ticks;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--symbols", defaultValue = "64", description = "Distinct symbols (default: ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--rates", split = ",", defaultValue = "10000,100000",
            description = "Steady rates for the latency runs, ticks/s (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--rate-duration", defaultValue = "20", description = "Seconds per latency run (default: ${DEFAULT-VALUE}).")
    int rateSeconds;

    @Option(names = "--warmup", defaultValue = "10", description = "Seconds at the rate before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--consumer-heap", defaultValue = "256m", description = "-Xmx of the consumer (default: ${DEFAULT-VALUE}).")
    String consumerHeap;

    @Option(names = "--consumer-jar", defaultValue = "consumer/target/ticksink-consumer.jar")
    Path consumerJar;

    @Option(names = "--migrator-jar", defaultValue = "migrator/target/ticksink-migrator.jar")
    Path migratorJar;

    @Option(names = "--migrator-heap", defaultValue = "256m", description = "-Xmx of the migrator (default: ${DEFAULT-VALUE}).")
    String migratorHeap;

    @Option(names = "--work-dir", defaultValue = "target/benchmark", description = "Scratch space, emptied first.")
    Path workDir;

    @Option(names = "--consumer-args", split = " ", description = "Extra consumer options, e.g. \"--batch-size 50000\".")
    List<String> consumerArgs = new ArrayList<>();

    @Option(names = "--consumer-jvm-args", split = " ",
            description = "Extra JVM options of the consumer, e.g. a flight recording: \"-XX:StartFlightRecording=filename=c.jfr\".")
    List<String> consumerJvmArgs = new ArrayList<>();

    @Option(names = "--skip-drain", description = "Only the latency runs.")
    boolean skipDrain;

    @Option(names = "--migrator-only", description = "Only (b'') and the migrator runs.")
    boolean migratorOnly;

    @Option(names = "--drain-only", description = "Only the consumer's drain (c), e.g. to profile it.")
    boolean drainOnly;

    private final Map<String, String> results = new LinkedHashMap<>();
    private double bareInsertFull;
    /** One client for the offsets polled while the consumer runs: a new one per look would load the machine. */
    private Admin admin;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        String nativeDir = System.getProperty("org.sqlite.tmpdir");
        if (nativeDir != null) {
            Files.createDirectories(Path.of(nativeDir)); // sqlite-jdbc does not create it
        }
        System.out.printf("ticksink benchmark: %,d ticks, %d partitions, %d symbols, %d cores, %s%n", ticks, partitions,
                symbols, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        if (migratorOnly) {
            bareInsertFull = Bare.insert(workDir.resolve("bare"), ticks, symbols, 20_000, "FULL");
            report("(b) bare sqlite-jdbc insert, 20,000-row transactions, synchronous=FULL", "%,.0f ticks/s", bareInsertFull);
        } else {
            kafkaRuns();
        }
        if (!drainOnly) {
            migratorRuns();
        }
        System.out.println();
        System.out.println("| measure | result |");
        System.out.println("|---|---|");
        results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
        return 0;
    }

    private void kafkaRuns() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"));
             Admin offsets = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin = offsets;
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopic("drain", partitions);
            long t0 = System.nanoTime();
            Workload.preload(bootstrap, "drain", ticks, symbols);
            System.out.printf("pre-loaded %,d ticks in %.1f s%n", ticks, (System.nanoTime() - t0) / 1e9);

            if (drainOnly) {
                drain(bootstrap);
                return;
            }
            if (skipDrain) {
                for (int rate : rates) {
                    latency(kafka, rate);
                }
                return;
            }
            double a = Bare.pollAndParse(bootstrap, "drain", partitions, ticks);
            report("(a) bare KafkaConsumer, poll + parse, store nothing", "%,.0f ticks/s", a);
            double b = Bare.insert(workDir.resolve("bare"), ticks, symbols, 20_000, "FULL");
            bareInsertFull = b;
            report("(b) bare sqlite-jdbc insert, 20,000-row transactions, synchronous=FULL", "%,.0f ticks/s", b);
            double bNormal = Bare.insert(workDir.resolve("bare"), ticks, symbols, 20_000, "NORMAL");
            report("(b') same, synchronous=NORMAL", "%,.0f ticks/s", bNormal);

            double c = drain(bootstrap);
            report("(c)/min(a,b)", "%.2f", c / Math.min(a, b));

            for (int rate : rates) {
                latency(kafka, rate);
            }
        }
    }

    private void migratorRuns() throws Exception {
        if (Files.exists(migratorJar)) {
            double bMigrator = Bare.insert(workDir.resolve("bare"), ticks, symbols, 50_000, "NORMAL");
            report("(b'') bare sqlite-jdbc insert, 50,000-row transactions, synchronous=NORMAL (the migrator's)",
                    "%,.0f ticks/s", bMigrator);
            double e = migrate("archive", symbols, 2, (int) (ticks / symbols / 2));
            report("(e)/(b'')", "%.2f", e / bMigrator);
            report("(e)/(b)", "%.2f", e / bareInsertFull);
            migrate("one-file", 1, 1, (int) Math.min(4 * ticks, 4_000_000));
        } else {
            System.out.println("(e) skipped: " + migratorJar + " is missing; build it with mvn package");
        }
    }

    /** (c) and (f): the consumer in its own JVM drains the pre-loaded topic; returns steady ticks/s. */
    private double drain(String bootstrap) throws Exception {
        List<String> args = consumerArgs(bootstrap, "drain", "bench-drain", workDir.resolve("drain-data"));
        try (ChildJvm consumer = ChildJvm.start(workDir, consumerJvm(), consumerJar, args)) {
            long started = System.nanoTime();
            consumer.awaitHttpPort(Duration.ofSeconds(60));
            Map<TopicPartition, Long> end = endOffsets("drain", partitions);
            long firstStored = 0;
            long lastScrape = 0;
            double peakHeap = 0;
            while (true) {
                long now = System.nanoTime();
                // the first stored tick is looked for closely; after that a scrape every 250 ms is enough for the heap
                if (firstStored == 0 || now - lastScrape > 250_000_000L) {
                    lastScrape = now;
                    if (firstStored == 0 && consumer.metric("ticksink_ticks_stored_total", null) > 0) {
                        firstStored = now;
                    }
                    peakHeap = Math.max(peakHeap, consumer.metric("jvm_memory_used_bytes", "area=\"heap\""));
                }
                if (committed("bench-drain").equals(end)) {
                    break;
                }
                if (!consumer.isAlive()) {
                    throw new IllegalStateException("consumer died: " + consumer.output());
                }
                Thread.sleep(firstStored == 0 ? 20 : 50);
            }
            long done = System.nanoTime();
            double firstBatch = consumer.metric("ticksink_batch_write_seconds_count", null);
            double writing = consumer.metric("ticksink_batch_write_seconds_sum", null);
            double cpu = consumer.cpuSeconds();
            double rss = consumer.peakRssMib();
            consumer.terminate(Duration.ofSeconds(30));
            double steady = ticks / ((done - firstStored) / 1e9);
            report("(c) consumer drains the topic into SQLite (first write to last commit)", "%,.0f ticks/s", steady);
            report("(c) same, from JVM start", "%,.0f ticks/s", ticks / ((done - started) / 1e9));
            report("(c) consumer CPU", "%.1f s (%.1f µs per tick)", cpu, cpu * 1e6 / ticks);
            report("(c) day-file transactions", "%,.0f", firstBatch);
            report("(c) time spent in day-file transactions", "%.0f%% of the drain", 100 * writing / ((done - firstStored) / 1e9));
            report("(f) consumer peak heap (-Xmx" + consumerHeap + ")", "%.0f MiB", peakHeap / (1 << 20));
            report("(f) consumer peak RSS", "%.0f MiB", rss);
            return steady;
        }
    }

    /** (d): ticks produced at a steady rate; per-tick age at offset commit, from the consumer's histogram. */
    private void latency(EmbeddedKafka kafka, int rate) throws Exception {
        String topic = "latency-" + rate;
        kafka.createTopic(topic, partitions);
        List<String> args = consumerArgs(kafka.bootstrapServers(), topic, "bench-" + topic, workDir.resolve(topic));
        try (ChildJvm consumer = ChildJvm.start(workDir, consumerJvm(), consumerJar, args)) {
            consumer.awaitHttpPort(Duration.ofSeconds(60));
            while (consumer.metric("ticksink_ready", null) != 1.0) {
                Thread.sleep(50); // joined its group and polled once
            }
            // warm up first: the first seconds of a JVM measure its JIT compiler, not the consumer
            Workload.steady(kafka.bootstrapServers(), topic, rate, Duration.ofSeconds(warmupSeconds), symbols);
            Map<TopicPartition, Long> warm = endOffsets(topic, partitions);
            while (!committed("bench-" + topic).equals(warm)) {
                Thread.sleep(50);
            }
            double cpu0 = consumer.cpuSeconds();
            String q = "ticksink_commit_latency_seconds";
            var before = consumer.histogram(q);
            String w = "ticksink_batch_write_seconds";
            var writesBefore = consumer.histogram(w);
            long sent = Workload.steady(kafka.bootstrapServers(), topic, rate, Duration.ofSeconds(rateSeconds), symbols);
            Map<TopicPartition, Long> end = endOffsets(topic, partitions);
            while (!committed("bench-" + topic).equals(end)) {
                Thread.sleep(50);
            }
            var after = consumer.histogram(q);
            var writesAfter = consumer.histogram(w);
            report(String.format("(d) at %,d ticks/s: produced → stored → committed p50 / p99 / p99.9", rate),
                    "%.1f / %.1f / %.1f ms", 1000 * ChildJvm.quantile(before, after, 0.5),
                    1000 * ChildJvm.quantile(before, after, 0.99), 1000 * ChildJvm.quantile(before, after, 0.999));
            report(String.format("(d) at %,d ticks/s: one day-file transaction, p50 / p99 / p99.9", rate),
                    "%.1f / %.1f / %.1f ms", 1000 * ChildJvm.quantile(writesBefore, writesAfter, 0.5),
                    1000 * ChildJvm.quantile(writesBefore, writesAfter, 0.99),
                    1000 * ChildJvm.quantile(writesBefore, writesAfter, 0.999));
            report(String.format("(d) at %,d ticks/s: consumer CPU", rate), "%.0f%% of one core (%,d ticks)",
                    100 * (consumer.cpuSeconds() - cpu0) / rateSeconds, sent);
            consumer.terminate(Duration.ofSeconds(30));
        }
    }

    /** (e) and (f): the migrator in its own JVM on a generated archive; returns ticks/s. */
    private double migrate(String name, int archiveSymbols, int days, int ticksPerFile) throws Exception {
        Path input = workDir.resolve(name);
        long total = Archive.write(input, archiveSymbols, days, ticksPerFile);
        String label = String.format("%,d ticks in %d file(s)", total, archiveSymbols * days);
        List<String> args = List.of("--input-dir", input.toAbsolutePath().toString(), "--output-dir",
                workDir.resolve(name + "-out").toAbsolutePath().toString());
        try (ChildJvm migrator = ChildJvm.start(workDir, List.of("-Xmx" + migratorHeap,
                "-Dorg.sqlite.tmpdir=" + workDir.toAbsolutePath()), migratorJar, args)) {
            long start = System.nanoTime();
            double rss = 0;
            double cpu = 0;
            while (migrator.isAlive()) {
                try {
                    double sample = migrator.peakRssMib(); // NaN once the process is a zombie
                    if (!Double.isNaN(sample)) {
                        rss = Math.max(rss, sample);
                    }
                    cpu = migrator.cpuSeconds();
                } catch (IOException gone) {
                    break; // exited between the check and the read
                }
                Thread.sleep(50);
            }
            int status = migrator.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (status != 0) {
                throw new IllegalStateException("migrator exited " + status + ": " + migrator.output());
            }
            double rate = total / seconds;
            report("(e) migrator, " + label + " (JVM start to exit)", "%,.0f ticks/s, %.1f s CPU", rate, cpu);
            java.util.regex.Matcher own = java.util.regex.Pattern.compile("duration\\s+\\S+, ([\\d,]+) records/s")
                    .matcher(migrator.output());
            if (own.find()) {
                double ownRate = Double.parseDouble(own.group(1).replace(",", ""));
                report("(e) migrator, " + label + " (its own summary: scan to last commit)", "%,.0f ticks/s", ownRate);
                rate = ownRate;
            }
            report("(f) migrator peak RSS (-Xmx" + migratorHeap + "), " + label, "%.0f MiB", rss);
            return rate;
        }
    }

    private List<String> consumerJvm() {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + consumerHeap));
        jvm.addAll(consumerJvmArgs);
        return jvm;
    }

    private List<String> consumerArgs(String bootstrap, String topic, String group, Path dataDir) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--topic", topic, "--group-id",
                group, "--data-dir", dataDir.toAbsolutePath().toString(), "--http-port", "0", "--http-address", "127.0.0.1"));
        args.addAll(consumerArgs);
        return args;
    }

    private void report(String what, String format, Object... values) {
        String value = String.format(format, values);
        results.put(what, value);
        System.out.printf("%-75s %s%n", what, value);
    }

    private Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
        end.values().removeIf(v -> v == 0);
        return end;
    }

    private Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.forEach((tp, om) -> {
            if (om != null && om.offset() > 0) {
                result.put(tp, om.offset());
            }
        });
        return result;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
