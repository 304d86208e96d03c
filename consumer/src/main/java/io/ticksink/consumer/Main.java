package io.ticksink.consumer;

import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code java -jar ticksink-consumer.jar}: reads the configuration, starts the embedded broker
 * when no brokers are named, and runs the consumer until SIGTERM/SIGINT or a fatal error.
 *
 * <p>Exit statuses: 0 stopped cleanly; 2 a fatal error (corrupt database, wrong schema version);
 * 3 stopped by the shutdown timeout while a write was failing (nothing lost: re-read on restart);
 * 64 bad configuration.
 */
public final class Main {

    public static final int EXIT_USAGE = 64;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System::getenv, System.out, System.err);
        if (status != Integer.MIN_VALUE) {
            LogManager.shutdown();
            System.exit(status);
        }
    }

    /** Runs the consumer; returns the exit status, or {@link Integer#MIN_VALUE} when a shutdown hook exits. */
    static int run(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
        ConsumerConfig config = new ConsumerConfig();
        ConfigSources sources;
        CommandLine cmd = new CommandLine(config);
        try {
            sources = ConfigSources.load(args, env);
            cmd.setDefaultValueProvider(sources);
            CommandLine.ParseResult parsed = cmd.parseArgs(args);
            if (cmd.isUsageHelpRequested()) {
                cmd.usage(out);
                return 0;
            }
            if (cmd.isVersionHelpRequested()) {
                cmd.printVersionHelp(out);
                return 0;
            }
            Map<String, String> kafka = new LinkedHashMap<>(sources.kafkaProperties());
            kafka.putAll(config.kafkaProperties);
            config.kafkaProperties = kafka;
            config.validate();
            if (config.printConfig) {
                PrintConfig.print(cmd, parsed, sources, config, out);
                return 0;
            }
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("ticksink-consumer: " + e.getMessage());
            err.println("Run with --help for the options.");
            return EXIT_USAGE;
        }
        if (config.logFormat.equals("json")) {
            System.setProperty("log4j2.configurationFile", "log4j2-json.xml");
        }
        prepareNativeDir();
        return new Main().start(config, out);
    }

    private int start(ConsumerConfig config, PrintStream out) {
        Logger log = LoggerFactory.getLogger(Main.class);
        EmbeddedKafka embedded = null;
        Path brokerDir = null;
        String bootstrap = config.bootstrapServers;
        try {
            Files.createDirectories(config.dataDir);
        } catch (IOException e) {
            log.error("--data-dir {} cannot be created: {}", config.dataDir, e.toString());
            return TickConsumer.EXIT_FATAL;
        }
        if (config.embedded()) {
            try {
                brokerDir = Files.createTempDirectory("ticksink-kafka-");
            } catch (IOException e) {
                log.error("cannot create a directory for the embedded broker: {}", e.toString());
                return TickConsumer.EXIT_FATAL;
            }
            embedded = EmbeddedKafka.start(brokerDir);
            bootstrap = embedded.bootstrapServers();
            embedded.createTopic(config.topic, config.partitions);
            out.printf("Embedded Kafka broker at %s (topic %s, %d partitions); publish ticks to it, or stop with Ctrl-C.%n",
                    bootstrap, config.topic, config.partitions);
        }

        TickStore store = new TickStore(config.dataDir, config.storeOptions());
        ConsumerMetrics metrics = new ConsumerMetrics(store);
        HealthServer http = null;
        KafkaConsumer<byte[], byte[]> kafkaConsumer = null;
        KafkaProducer<byte[], byte[]> producer = null;
        AtomicInteger status = new AtomicInteger(TickConsumer.EXIT_FATAL);
        CountDownLatch finished = new CountDownLatch(1);
        try {
            if (config.httpPort >= 0) {
                http = new HealthServer(config.httpAddress, config.httpPort, metrics);
                log.info("metrics and health on http://{}:{}/metrics", config.httpAddress, http.port());
            }
            kafkaConsumer = new KafkaConsumer<>(consumerProperties(config, bootstrap),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            producer = new KafkaProducer<>(producerProperties(config, bootstrap),
                    new ByteArraySerializer(), new ByteArraySerializer());
            DeadLetters deadLetters = new DeadLetters(producer, config.dlqTopic(), 30_000);
            TickConsumer consumer = new TickConsumer(config, kafkaConsumer, deadLetters, store, metrics);
            Thread hook = new Thread(() -> {
                consumer.requestStop();
                try {
                    if (!finished.await(config.shutdownTimeout.toMillis() + 15_000, TimeUnit.MILLISECONDS)) {
                        status.set(TickConsumer.EXIT_UNCOMMITTED);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LogManager.shutdown();
                Runtime.getRuntime().halt(status.get()); // exit with our status, not 143 for the signal
            }, "ticksink-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (config.demo > 0) {
                Thread demo = new Thread(new Demo(bootstrap, config.topic, config.demo, config.dataDir, metrics,
                        consumer, out), "ticksink-demo");
                demo.setDaemon(true);
                demo.start();
            }
            log.info("consuming {} as group {} into {}", config.topic, config.groupId, config.dataDir.toAbsolutePath());
            status.set(consumer.run());
        } catch (IOException | RuntimeException e) {
            log.error("cannot start: {}", e.toString(), e);
            status.set(TickConsumer.EXIT_FATAL);
        } finally {
            closeQuietly(kafkaConsumer, producer, log);
            store.close();
            if (http != null) {
                http.close();
            }
            if (embedded != null) {
                embedded.close();
                deleteRecursively(brokerDir);
            }
            finished.countDown();
        }
        return status.get();
    }

    static Map<String, Object> consumerProperties(ConsumerConfig config, String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, config.groupId);
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "ticksink-" + ProcessHandle.current().pid());
        // offsets are committed by hand, only after the ticks before them are durable in SQLite
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a new group must not skip what was published before it first started
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.autoOffsetReset);
        // incremental rebalances: partitions that stay with a member keep flowing during a rebalance
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        // one poll may fill a whole batch
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.batchSize, 10_000));
        // ticks of aborted producer transactions are never stored
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (config.groupInstanceId != null && !config.groupInstanceId.isBlank()) {
            // static membership: a restart within the session timeout keeps the member's partitions
            p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupInstanceId);
        }
        p.putAll(config.kafkaProperties);
        return p;
    }

    static Map<String, Object> producerProperties(ConsumerConfig config, String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ticksink-dlq-" + ProcessHandle.current().pid());
        // a dead letter counts as stored only once every in-sync replica has it
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // the consumer's own settings (group, offsets) mean nothing to a producer; pass the rest (security)
        config.kafkaProperties.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    private static void closeQuietly(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
                                     Logger log) {
        try {
            if (consumer != null) {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
            }
        } catch (RuntimeException e) {
            log.warn("closing the Kafka consumer: {}", e.toString());
        }
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
            }
        } catch (RuntimeException e) {
            log.warn("closing the dead-letter producer: {}", e.toString());
        }
    }

    /**
     * sqlite-jdbc extracts its native library into a temp dir and a killed JVM leaves it behind:
     * use a directory of our own and remove what crashed processes left there.
     */
    private static void prepareNativeDir() {
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            return;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ticksink-sqlite-native");
        try {
            Files.createDirectories(dir);
            Instant cutoff = Instant.now().minus(Duration.ofHours(1));
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> {
                    try {
                        return Files.getLastModifiedTime(f).compareTo(FileTime.from(cutoff)) < 0;
                    } catch (IOException e) {
                        return false;
                    }
                }).forEach(f -> f.toFile().delete()); // a mapped library stays usable by its process
            }
            System.setProperty("org.sqlite.tmpdir", dir.toString());
        } catch (IOException e) {
            // keep sqlite-jdbc's default location
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir; the OS cleans it eventually
        }
    }
}
