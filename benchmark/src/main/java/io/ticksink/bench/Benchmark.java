package io.ticksink.bench;

import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.schema.NativeLibraryDir;
import io.ticksink.schema.Tick;
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

    @Option(names = "--ticks", defaultValue = "2000000", description = "Ticks pre-loaded for the drain (default: ${DEFAULT-VALUE}).")
    long ticks;

    @Option(names = "--drain-warmup", defaultValue = "3000000",
            description = "Ticks (a), (b) and (c) process before they are timed, so the timed part runs warm: the consumer's "
                    + "JIT compiler is busy with its once-per-poll code for ~3M ticks; they belong to the day before, so "
                    + "the timed ticks go to a new day file, as (b)'s (default: ${DEFAULT-VALUE}).")
    long drainWarmup;

    @Option(names = "--rounds", defaultValue = "5",
            description = "Rounds of (a), (b), (b*) and (c), taken in turn; their medians are compared (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--compression", defaultValue = "lz4", paramLabel = "none|lz4|zstd|gzip|snappy",
            description = "Compression of the published ticks, the producers' choice (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--archive-ticks", defaultValue = "4000000",
            description = "Ticks of the migrator's archives, 128 files and one file; (b) and (b'') are measured again "
                    + "with as many rows for the comparison (default: ${DEFAULT-VALUE}).")
    long archiveTicks;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--symbols", defaultValue = "64", description = "Distinct symbols (default: ${DEFAULT-VALUE}).")
    int symbols;

    @Option(names = "--rates", split = ",", defaultValue = "10000,100000",
            description = "Steady rates for the latency runs, ticks/s (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--rate-duration", defaultValue = "20", description = "Seconds per latency run (default: ${DEFAULT-VALUE}).")
    int rateSeconds;

    @Option(names = "--warmup", defaultValue = "30",
            description = "Seconds at the rate before measuring; a younger JVM is still compiling (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--migrator-jvm-args", split = " ", description = "Extra JVM options of the migrator.")
    List<String> migratorJvmArgs = new ArrayList<>();

    /** The forms of the migrator's generated archive. */
    enum ArchiveFormat { json, jsonl }

    @Option(names = "--archive-format", defaultValue = "json", paramLabel = "json|jsonl",
            description = "The migrator's archive: JSON arrays, one object a line, or NDJSON files (default: ${DEFAULT-VALUE}).")
    ArchiveFormat archiveFormat;

    @Option(names = "--skip-drain", description = "Only the latency runs.")
    boolean skipDrain;

    @Option(names = "--skip-latency", description = "No latency runs (d).")
    boolean skipLatency;

    @Option(names = "--skip-migrator", description = "No migrator runs (e).")
    boolean skipMigrator;

    @Option(names = "--migrator-only", description = "Only (b'') and the migrator runs.")
    boolean migratorOnly;

    @Option(names = "--drain-only", description = "Only the consumer's drain (c), e.g. to profile it.")
    boolean drainOnly;

    @Option(names = "--cold-ticks", defaultValue = "1000000",
            description = "Backlog of the cold drain: a fresh consumer JVM with default options, timed from its first offset "
                    + "commit to zero lag (default: ${DEFAULT-VALUE}; 0: none).")
    long coldTicks;

    @Option(names = "--cold-only", description = "Only the cold drain, with (b) measured beside it.")
    boolean coldOnly;

    @Option(names = "--reject-every", defaultValue = "0", paramLabel = "N",
            description = "With --drain-only: a record that is not JSON after every N ticks, so that the drain dead-letters "
                    + "them (default: none).")
    int rejectEvery;

    private final Map<String, String> results = new LinkedHashMap<>();
    /** One client for the offsets polled while the consumer runs: a new one per look would load the machine. */
    private Admin admin;
    private EmbeddedKafka kafka;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (rejectEvery < 0 || (rejectEvery > 0 && !drainOnly)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--reject-every needs --drain-only and N >= 1");
        }
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        NativeLibraryDir.prepare(); // before anything loads SQLite
        System.out.printf("ticksink benchmark: %,d ticks, %d partitions, %d symbols, compression %s, %d cores, %s%n", ticks,
                partitions, symbols, compression, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"));
        if (!migratorOnly) {
            kafkaRuns();
        }
        if (!drainOnly && !coldOnly && !skipMigrator) {
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
            this.kafka = kafka;
            String bootstrap = kafka.bootstrapServers();
            if (coldOnly) {
                coldRuns(bootstrap);
                return;
            }
            if (!skipDrain) {
                kafka.createTopic("drain", partitions);
                long t0 = System.nanoTime();
                Workload.preload(bootstrap, "drain", drainWarmup, ticks, symbols, compression, rejectEvery);
                System.out.printf("pre-loaded %,d + %,d ticks in %.1f s%n", drainWarmup, ticks,
                        (System.nanoTime() - t0) / 1e9);
                if (drainOnly) {
                    report(List.of(drain(bootstrap, 1)));
                    return;
                }
                drainRounds(bootstrap);
                if (coldTicks > 0) {
                    coldRuns(bootstrap);
                }
            }
            if (!skipLatency) {
                for (int rate : rates) {
                    latency(kafka, rate);
                }
            }
        }
    }

    private void migratorRuns() throws Exception {
        if (Files.exists(migratorJar)) {
            // the loops insert as many rows as the archive holds: a larger file is slower to insert into
            String rows = String.format("%,d rows", archiveTicks);
            List<Tick> warmup = Bare.ticks(drainWarmup, symbols);
            List<Tick> archived = Bare.ticks(archiveTicks, symbols);
            double b = Bare.insert(workDir.resolve("bare"), warmup, archived, 20_000, "FULL").warm();
            report("(b) bare sqlite-jdbc insert, 20,000-row transactions, synchronous=FULL, " + rows, "%,.0f ticks/s", b);
            double bMigrator = Bare.insert(workDir.resolve("bare"), warmup, archived, 50_000, "NORMAL").warm();
            report("(b'') same, 50,000-row transactions, synchronous=NORMAL (the migrator's), " + rows,
                    "%,.0f ticks/s", bMigrator);
            double e = migrate("archive", symbols, 2, (int) (archiveTicks / symbols / 2));
            report("(e)/(b'')", "%.2f", e / bMigrator);
            report("(e)/(b)", "%.2f", e / b);
            migrate("one-file", 1, 1, (int) archiveTicks);
        } else {
            System.out.println("(e) skipped: " + migratorJar + " is missing; build it with mvn package");
        }
    }

    /**
     * (a), (b), (b*) and (c) in turn, {@link #rounds} times, so that a slow moment of this shared
     * machine weighs on one round of one measure, not on a ratio; the ratios are taken between medians.
     */
    private void drainRounds(String bootstrap) throws Exception {
        List<Bare.Rates> as = new ArrayList<>();
        List<Bare.Rates> bs = new ArrayList<>();
        List<Bare.Rates> bStars = new ArrayList<>();
        List<Bare.Rates> bPluses = new ArrayList<>();
        List<Drain> cs = new ArrayList<>();
        List<Tick> warmup = Bare.ticks(drainWarmup, symbols);
        List<Tick> timed = Bare.ticks(ticks, symbols);
        for (int round = 1; round <= rounds; round++) {
            Bare.Rates a = Bare.pollAndParse(bootstrap, "drain", partitions, drainWarmup, drainWarmup + ticks);
            Bare.Rates b = Bare.insert(workDir.resolve("bare"), warmup, timed, 20_000, "FULL");
            Bare.Rates bStar = Bare.insert(workDir.resolve("bare"), warmup, timed, 20_000, "FULL", true);
            Bare.Rates bPlus = Bare.insertMultiRow(workDir.resolve("bare"), warmup, timed, 20_000, "FULL");
            Drain c = drain(bootstrap, round);
            as.add(a);
            bs.add(b);
            bStars.add(bStar);
            bPluses.add(bPlus);
            cs.add(c);
            System.out.printf("round %d: (a) %,.0f  (b) %,.0f  (b*) %,.0f  (b+) %,.0f  (c) %,.0f ticks/s, (c)/(b) %.2f, "
                    + "(c)/(b+) %.2f; cold (a) %,.0f  (b) %,.0f  (c) %,.0f%n", round, a.warm(), b.warm(), bStar.warm(),
                    bPlus.warm(), c.warm(), c.warm() / b.warm(), c.warm() / bPlus.warm(), a.cold(), b.cold(), c.cold());
        }
        double a = median(as.stream().mapToDouble(Bare.Rates::warm));
        double b = median(bs.stream().mapToDouble(Bare.Rates::warm));
        double bStar = median(bStars.stream().mapToDouble(Bare.Rates::warm));
        double bPlus = median(bPluses.stream().mapToDouble(Bare.Rates::warm));
        medianB = b;
        String of = String.format(" (median of %d)", rounds);
        report("(a) bare KafkaConsumer, poll + parse, store nothing" + of, "%,.0f ticks/s", a);
        report("(b) bare sqlite-jdbc insert, 20,000-row transactions, synchronous=FULL" + of, "%,.0f ticks/s", b);
        report("(b*) the same loop, its connection opened as the store opens day files (NOMUTEX)" + of,
                "%,.0f ticks/s", bStar);
        report(String.format("(b+) the loop of (b) with one multi-row INSERT per %d ticks", Bare.MULTI_ROW) + of,
                "%,.0f ticks/s", bPlus);
        double bNormal = Bare.insert(workDir.resolve("bare"), warmup, timed, 20_000, "NORMAL").warm();
        report("(b') same as (b), synchronous=NORMAL", "%,.0f ticks/s", bNormal);
        report(cs);
        double c = median(cs.stream().mapToDouble(Drain::warm));
        report("(c)/(b), (c)/(b+)", "%.2f, %.2f", c / b, c / bPlus);
        report("(c)/min(a,b)", "%.2f", c / Math.min(a, b));
        report("(c)/min(a,b*)", "%.2f", c / Math.min(a, bStar));
        double aCold = median(as.stream().mapToDouble(Bare.Rates::cold));
        double bCold = median(bs.stream().mapToDouble(Bare.Rates::cold));
        double cCold = median(cs.stream().mapToDouble(Drain::cold));
        report(String.format("cold: (a) whole topic / (b) first %,d ticks / (c) whole drain from its first stored tick",
                drainWarmup), "%,.0f / %,.0f / %,.0f ticks/s", aCold, bCold, cCold);
        report("(c)/min(a,b) cold", "%.2f", cCold / Math.min(aCold, bCold));
    }

    /** (b)'s warm median of the drain rounds, for the cold drain's ratio; measured again when there were none. */
    private double medianB = Double.NaN;

    /**
     * The cold drain: a consumer that was down comes back to a backlog in a fresh JVM with default
     * options, as an operator restarts it. Timed from its first offset commit (seen by polling the
     * group every 20 ms) to zero lag, and from JVM start to that first commit; (b) is measured
     * again beside it when the rounds did not run, before and after, and their mean is compared.
     */
    private void coldRuns(String bootstrap) throws Exception {
        kafka.createTopic("cold", partitions);
        kafka.createTopic("cold.dlq", partitions); // a restarted consumer finds its dead-letter topic
        Workload.preload(bootstrap, "cold", 0, coldTicks, symbols, compression);
        // a restarted consumer finds a running cluster: its transaction and offset logs exist
        Map<String, Object> txn = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "transactional.id", "bench-warm"));
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(txn,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
        }
        committed("bench-warm");
        double b = medianB;
        // without the rounds, (b) is measured here, before and after the drain, on one list of ticks
        List<Tick> bareTicks = Double.isNaN(b) ? Bare.ticks(Math.min(ticks, 2_000_000), symbols) : null;
        if (bareTicks != null) {
            b = Bare.insert(workDir.resolve("bare"), bareTicks, bareTicks, 20_000, "FULL").warm();
        }
        String group = "bench-cold";
        try (MeasuredJvm consumer = MeasuredJvm.start(workDir, consumerJvm(), consumerJar,
                consumerArgs(bootstrap, "cold", group, workDir.resolve("cold-data"), false))) {
            long started = System.nanoTime();
            Map<TopicPartition, Long> end = endOffsets("cold", partitions);
            long firstCommit = 0;
            while (true) {
                Map<TopicPartition, Long> committed = committed(group);
                long now = System.nanoTime();
                if (firstCommit == 0 && !committed.isEmpty()) {
                    firstCommit = now;
                }
                if (committed.equals(end)) {
                    break;
                }
                if (!consumer.isAlive()) {
                    throw new IllegalStateException("consumer died: " + consumer.output());
                }
                Thread.sleep(20);
            }
            long done = System.nanoTime();
            consumer.awaitHttpPort(Duration.ofSeconds(10)); // printed at its start, long ago
            double stored = consumer.metric("ticksink_ticks_stored_total", null);
            consumer.terminate(Duration.ofSeconds(30));
            // the first commit covers a first batch: the rate counts the ticks stored after it
            double firstBatch = Math.min(coldTicks, 20_000);
            double rate = (stored - firstBatch) / ((done - firstCommit) / 1e9);
            if (bareTicks != null) {
                b = (b + Bare.insert(workDir.resolve("bare"), List.of(), bareTicks, 20_000, "FULL").warm()) / 2;
                report("(b) bare insert, measured before and after the cold drain, mean", "%,.0f ticks/s", b);
            }
            System.out.println("cold consumer's log: " + consumer.logFile());
            report(String.format("(c cold) fresh consumer JVM on a %,d-tick backlog: JVM start to first commit", coldTicks),
                    "%.2f s", (firstCommit - started) / 1e9);
            report("(c cold) first commit to zero lag / JVM start to zero lag", "%,.0f / %,.0f ticks/s", rate,
                    coldTicks / ((done - started) / 1e9));
            report("(c cold)/(b)", "%.2f", rate / b);
        }
    }

    /** What one drain measured. */
    private record Drain(double warm, double cold, double fromJvmStart, double warmCpuMicrosPerTick,
                         double cpuSeconds, double cpuMicrosPerTick, double transactions, double writeShare,
                         double peakHeapMib, double peakRssMib) {
    }

    /** Reports the medians of the drains, and the peaks of their memory. */
    private void report(List<Drain> drains) {
        String of = drains.size() > 1 ? String.format(" (median of %d)", drains.size()) : "";
        report(String.format("(c) consumer drains %,d ticks into SQLite, after %,d warm-up ticks", ticks, drainWarmup) + of,
                "%,.0f ticks/s", median(drains.stream().mapToDouble(Drain::warm)));
        report("(c) consumer CPU per tick in that part" + of, "%.1f µs",
                median(drains.stream().mapToDouble(Drain::warmCpuMicrosPerTick)));
        report("(c) whole drain from the first stored tick (cold) / from JVM start" + of, "%,.0f / %,.0f ticks/s",
                median(drains.stream().mapToDouble(Drain::cold)), median(drains.stream().mapToDouble(Drain::fromJvmStart)));
        report("(c) consumer CPU, whole run" + of, "%.1f s (%.1f µs per tick)",
                median(drains.stream().mapToDouble(Drain::cpuSeconds)),
                median(drains.stream().mapToDouble(Drain::cpuMicrosPerTick)));
        report("(c) day-file transactions, share of the drain spent in them" + of, "%,.0f, %.0f%%",
                median(drains.stream().mapToDouble(Drain::transactions)),
                median(drains.stream().mapToDouble(Drain::writeShare)));
        report("(f) consumer peak heap (-Xmx" + consumerHeap + "), highest of the drains", "%.0f MiB",
                drains.stream().mapToDouble(Drain::peakHeapMib).max().orElse(0));
        report("(f) consumer peak RSS, highest of the drains", "%.0f MiB",
                drains.stream().mapToDouble(Drain::peakRssMib).max().orElse(0));
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] sorted = values.sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * (c) and (f): the consumer in its own JVM, in a group and data directory of its own, drains the
     * pre-loaded topic. Its warm rate counts from the moment it had stored the warm-up ticks.
     */
    private Drain drain(String bootstrap, int round) throws Exception {
        String group = "bench-drain-" + round;
        List<String> args = consumerArgs(bootstrap, "drain", group, workDir.resolve("drain-data-" + round));
        try (MeasuredJvm consumer = MeasuredJvm.start(workDir, consumerJvm(), consumerJar, args)) {
            long started = System.nanoTime();
            consumer.awaitHttpPort(Duration.ofSeconds(60));
            Map<TopicPartition, Long> end = endOffsets("drain", partitions);
            long total = drainWarmup + ticks;
            long firstStored = 0;
            long warmStart = 0;
            double storedAtWarmStart = 0;
            double cpuAtWarmStart = 0;
            long lastScrape = 0;
            double peakHeap = 0;
            while (true) {
                long now = System.nanoTime();
                // the warm start is taken with the counter's value at that moment, so looking every 100 ms costs no precision
                if (warmStart == 0 || now - lastScrape > 500_000_000L) {
                    lastScrape = now;
                    double stored = consumer.metric("ticksink_ticks_stored_total", null);
                    if (firstStored == 0 && stored > 0) {
                        firstStored = now;
                    }
                    if (warmStart == 0 && stored >= drainWarmup) {
                        warmStart = now;
                        storedAtWarmStart = stored;
                        cpuAtWarmStart = consumer.cpuSeconds();
                    }
                    peakHeap = Math.max(peakHeap, consumer.metric("jvm_memory_used_bytes", "area=\"heap\""));
                }
                if (committed(group).equals(end)) {
                    break;
                }
                if (!consumer.isAlive()) {
                    throw new IllegalStateException("consumer died: " + consumer.output());
                }
                Thread.sleep(warmStart == 0 ? 100 : 50);
            }
            long done = System.nanoTime();
            double transactions = consumer.metric("ticksink_batch_write_seconds_count", null);
            double writing = consumer.metric("ticksink_batch_write_seconds_sum", null);
            double cpu = consumer.cpuSeconds();
            double rss = consumer.peakRssMib();
            consumer.terminate(Duration.ofSeconds(30));
            double warmTicks = total - storedAtWarmStart;
            return new Drain(warmTicks / ((done - warmStart) / 1e9), total / ((done - firstStored) / 1e9),
                    total / ((done - started) / 1e9), (cpu - cpuAtWarmStart) * 1e6 / warmTicks, cpu, cpu * 1e6 / total,
                    transactions, 100 * writing / ((done - firstStored) / 1e9), peakHeap / (1 << 20), rss);
        }
    }

    /** (d): ticks produced at a steady rate; per-tick age at offset commit, from the consumer's histogram. */
    private void latency(EmbeddedKafka kafka, int rate) throws Exception {
        String topic = "latency-" + rate;
        kafka.createTopic(topic, partitions);
        List<String> args = consumerArgs(kafka.bootstrapServers(), topic, "bench-" + topic, workDir.resolve(topic));
        try (MeasuredJvm consumer = MeasuredJvm.start(workDir, consumerJvm(), consumerJar, args)) {
            consumer.awaitHttpPort(Duration.ofSeconds(60));
            while (consumer.metric("ticksink_ready", null) != 1.0) {
                Thread.sleep(50); // joined its group and polled once
            }
            // warm up first: the first seconds of a JVM measure its JIT compiler, not the consumer
            Workload.steady(kafka.bootstrapServers(), topic, rate, Duration.ofSeconds(warmupSeconds), symbols, compression);
            Map<TopicPartition, Long> warm = endOffsets(topic, partitions);
            while (!committed("bench-" + topic).equals(warm)) {
                Thread.sleep(50);
            }
            double cpu0 = consumer.cpuSeconds();
            String q = "ticksink_commit_latency_seconds";
            var before = consumer.histogram(q);
            String w = "ticksink_batch_write_seconds";
            var writesBefore = consumer.histogram(w);
            long sent = Workload.steady(kafka.bootstrapServers(), topic, rate, Duration.ofSeconds(rateSeconds), symbols, compression);
            Map<TopicPartition, Long> end = endOffsets(topic, partitions);
            while (!committed("bench-" + topic).equals(end)) {
                Thread.sleep(50);
            }
            var after = consumer.histogram(q);
            var writesAfter = consumer.histogram(w);
            report(String.format("(d) at %,d ticks/s: produced → stored → committed p50 / p99 / p99.9", rate),
                    "%.1f / %.1f / %.1f ms", 1000 * MeasuredJvm.quantile(before, after, 0.5),
                    1000 * MeasuredJvm.quantile(before, after, 0.99), 1000 * MeasuredJvm.quantile(before, after, 0.999));
            report(String.format("(d) at %,d ticks/s: one day-file transaction, p50 / p99 / p99.9", rate),
                    "%.1f / %.1f / %.1f ms", 1000 * MeasuredJvm.quantile(writesBefore, writesAfter, 0.5),
                    1000 * MeasuredJvm.quantile(writesBefore, writesAfter, 0.99),
                    1000 * MeasuredJvm.quantile(writesBefore, writesAfter, 0.999));
            report(String.format("(d) at %,d ticks/s: consumer CPU", rate), "%.0f%% of one core (%,d ticks)",
                    100 * (consumer.cpuSeconds() - cpu0) / rateSeconds, sent);
            consumer.terminate(Duration.ofSeconds(30));
        }
    }

    /** (e) and (f): the migrator in its own JVM on a generated archive; returns ticks/s. */
    private double migrate(String name, int archiveSymbols, int days, int ticksPerFile) throws Exception {
        Path input = workDir.resolve(name);
        long total = Archive.write(input, archiveSymbols, days, ticksPerFile, false, archiveFormat == ArchiveFormat.jsonl);
        String label = String.format("%,d ticks in %d file(s)", total, archiveSymbols * days);
        List<String> args = List.of("--input-dir", input.toAbsolutePath().toString(), "--output-dir",
                workDir.resolve(name + "-out").toAbsolutePath().toString());
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + migratorHeap, "-Dorg.sqlite.tmpdir=" + workDir.toAbsolutePath()));
        jvm.addAll(migratorJvmArgs);
        try (MeasuredJvm migrator = MeasuredJvm.start(workDir, jvm, migratorJar, args)) {
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
        return consumerArgs(bootstrap, topic, group, dataDir, true);
    }

    /** The consumer's options; without {@code extra}, only what it needs to find its broker, topic and dir. */
    private List<String> consumerArgs(String bootstrap, String topic, String group, Path dataDir, boolean extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--topic", topic, "--group-id",
                group, "--data-dir", dataDir.toAbsolutePath().toString(), "--http-port", "0", "--http-address", "127.0.0.1",
                "--dlq-create"));
        if (extra) {
            args.addAll(consumerArgs);
        }
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
