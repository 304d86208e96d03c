package io.ticksink.consumer;

import io.ticksink.cli.CommandLines;
import io.ticksink.cli.ExitCodes;
import io.ticksink.consumer.load.Demo;
import io.ticksink.consumer.load.LoadGenerator;
import io.ticksink.kafka.EmbeddedKafka;
import io.ticksink.schema.NativeLibraryDir;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code java -jar ticksink-consumer.jar}: reads the configuration, starts the embedded broker
 * when no brokers are named, and runs the consumer until SIGTERM/SIGINT or a fatal error.
 *
 * <p>{@code java -jar ticksink-consumer.jar loadgen ...} runs the {@link LoadGenerator} instead.
 *
 * <p>Exit statuses ({@link ExitCodes}): 0 stopped cleanly; 2 bad configuration; 3 stopped by the
 * shutdown timeout while a write was failing (nothing lost: re-read on restart); 5 a fatal error
 * (corrupt database, wrong schema version, a start that cannot succeed: a missing dead-letter
 * topic, a refused login). A Kafka that does not answer at start is waited for, however long.
 */
public final class Main {

    /**
     * How long past {@code --shutdown-timeout} a stop may take to close the Kafka clients and the
     * day files before the process exits anyway ({@link ExitCodes#UNCOMMITTED}): after SIGTERM the process is gone
     * within {@code --shutdown-timeout} plus this. Deployment files give it at least that long.
     */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(15);

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
        if (args.length > 0 && args[0].equals("loadgen")) {
            return LoadGenerator.main(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        ConsumerConfig config = new ConsumerConfig();
        ConfigSources sources;
        CommandLine cmd = new CommandLine(config).setOut(new PrintWriter(out, true));
        try {
            sources = ConfigSources.load(args, env);
            cmd.setDefaultValueProvider(sources);
            CommandLine.ParseResult parsed = cmd.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
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
            return CommandLines.usageError(new PrintWriter(err, true), "ticksink-consumer",
                    KafkaSecrets.maskText(e.getMessage()));
        }
        config.logging.apply();
        NativeLibraryDir.prepare(); // before anything loads SQLite
        return new Main().start(config, out);
    }

    private int start(ConsumerConfig config, PrintStream out) {
        Logger log = LoggerFactory.getLogger(Main.class);
        EmbeddedKafka embedded = null;
        Path brokerDir = null;
        String bootstrap = config.bootstrapServers;
        if (config.embedded()) {
            try {
                brokerDir = Files.createTempDirectory("ticksink-kafka-");
            } catch (IOException e) {
                log.error("cannot create a directory for the embedded broker: {}", e.toString());
                return TickConsumer.EXIT_FATAL;
            }
            // the in-process broker's own clients warn about their shutdown order on exit; nothing to act on
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka.clients.NetworkClient",
                    org.apache.logging.log4j.Level.ERROR);
            embedded = EmbeddedKafka.start(brokerDir);
            bootstrap = embedded.bootstrapServers();
            embedded.createTopic(config.topic, config.partitions);
            out.printf("Embedded Kafka broker at %s (topic %s, %d partitions); publish ticks to it, or stop with Ctrl-C.%n",
                    bootstrap, config.topic, config.partitions);
        }
        AtomicInteger status = new AtomicInteger(TickConsumer.EXIT_FATAL);
        java.util.concurrent.atomic.AtomicBoolean loopEnded = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        try (ConsumerApp app = ConsumerApp.create(config, bootstrap)) {
            Thread hook = new Thread(() -> {
                app.requestStop();
                try {
                    if (!finished.await(config.shutdownTimeout.plus(CLOSE_GRACE).toMillis(), TimeUnit.MILLISECONDS)
                            && !loopEnded.get()) {
                        status.set(TickConsumer.EXIT_UNCOMMITTED); // the loop itself did not end in time
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                NativeLibraryDir.release(); // halt skips the JVM's delete-on-exit
                LogManager.shutdown();
                Runtime.getRuntime().halt(status.get()); // exit with our status, not 143 for the signal
            }, "ticksink-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (config.demo > 0) {
                ConsumerMetrics metrics = app.metrics();
                Thread demo = new Thread(new Demo(bootstrap, config.topic, config.demo, config.dataDir,
                        metrics::recordsCommitted,
                        () -> metrics.registry().get("ticksink.batch.write").timer().totalTime(TimeUnit.NANOSECONDS) / 1e9,
                        app::requestStop, out), "ticksink-demo");
                demo.setDaemon(true);
                demo.start();
            }
            status.set(app.run());
            loopEnded.set(true);
        } catch (ConsumerApp.StartException e) {
            log.error("cannot start: {}", KafkaSecrets.maskText(e.getMessage()));
            status.set(TickConsumer.EXIT_FATAL);
        } finally {
            if (embedded != null) {
                embedded.close();
                deleteRecursively(brokerDir);
            }
            finished.countDown();
        }
        return status.get();
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
