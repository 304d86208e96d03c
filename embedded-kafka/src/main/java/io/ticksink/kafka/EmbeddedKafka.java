package io.ticksink.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running in this JVM,
 * bound to 127.0.0.1. Started from Kafka's own server artifacts, so it behaves as a production
 * broker does: group coordination, offset commits, rebalances.
 *
 * <p>{@link #stop()} and {@link #start()} restart it on the same ports and log dir, for broker
 * restart tests. Thread safe for its public methods.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats {@code logDir} (when new) and starts a broker on a free port; returns once it serves. */
    public static EmbeddedKafka start(Path logDir) {
        EmbeddedKafka kafka = new EmbeddedKafka(logDir, freePort(), freePort());
        kafka.format();
        kafka.start();
        return kafka;
    }

    /** Starts the broker again after {@link #stop()}, on the same ports and log dir. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaRaftServer raft = new KafkaRaftServer(new KafkaConfig(properties(), false), Time.SYSTEM);
        raft.startup(); // returns once the broker is unfenced
        server = raft;
        log.info("Kafka broker listening on {}", bootstrapServers());
    }

    /** Stops the broker; its data stays for {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Creates a topic (if absent) and waits until every partition has a leader, so a producer
     * started right after does not block on missing metadata.
     */
    public void createTopic(String topic, int partitions) {
        createTopic(bootstrapServers(), topic, partitions);
    }

    /** As {@link #createTopic(String, int)}, against any cluster. */
    public static void createTopic(String bootstrapServers, String topic, int partitions) {
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic, e.getCause());
                }
            }
            Map<TopicPartition, OffsetSpec> specs = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    admin.listOffsets(specs).all().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("partitions of " + topic + " have no leader after 30 s", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + topic + " within 30 s", e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private Properties properties() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // a single node: every internal topic has one replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1"); // the first group join is seconds faster
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1"); // the first transactional producer starts seconds sooner
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            if (Files.exists(logDir.resolve("meta.properties"))) {
                return;
            }
            Path config = Files.createTempFile("ticksink-kraft", ".properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                properties().store(out, "ticksink embedded broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int rc;
            try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                        config.toString()}, print);
            }
            Files.deleteIfExists(config);
            if (rc != 0) {
                throw new IllegalStateException("formatting " + logDir + " failed: " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker's log dir " + logDir, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
