package io.ticksink.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ticksink.schema.TickStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer's metrics, in Prometheus format: ticks stored, batches, batch write latency,
 * retries, dead letters, lag per partition, age of the last commit, open databases, readiness,
 * the JVM's own (memory, GC, threads), and the process's CPU, open files and the data dir's disk
 * space. Thread safe: written by the consumer thread, read by the HTTP server.
 */
public final class ConsumerMetrics {

    static final int LATENCY_SAMPLES_PER_BATCH = 256;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter ticksStored;
    private final Counter ticksSkipped;
    private final Counter batches;
    private final Counter retries;
    private final Timer batchWrite;
    private final Timer commitLatency;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<TopicPartition, AtomicLong> lag = new ConcurrentHashMap<>();
    private final AtomicLong lastCommitMillis = new AtomicLong(System.currentTimeMillis());
    private final LongAdder recordsCommitted = new LongAdder();
    private final AtomicReference<String> notReadyBecause = new AtomicReference<>("not started");

    public ConsumerMetrics(TickStore store) {
        MeterRegistry r = registry;
        ticksStored = Counter.builder("ticksink.ticks.stored").description("Ticks inserted into the day databases").register(r);
        ticksSkipped = Counter.builder("ticksink.ticks.skipped")
                .description("Redelivered ticks not inserted because their day file already held them").register(r);
        batches = Counter.builder("ticksink.batches").description("Batches written and committed").register(r);
        retries = Counter.builder("ticksink.write.retries").description("Failed write attempts that were retried").register(r);
        batchWrite = Timer.builder("ticksink.batch.write").description("Time to write one batch into SQLite")
                .publishPercentileHistogram().register(r);
        commitLatency = Timer.builder("ticksink.commit.latency")
                .description("Per record: from its Kafka timestamp (when produced) until its offset was committed")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(r);
        Gauge.builder("ticksink.last.commit.age", lastCommitMillis, t -> (System.currentTimeMillis() - t.get()) / 1000.0)
                .description("Seconds since the last Kafka offset commit").baseUnit("seconds").register(r);
        Gauge.builder("ticksink.open.databases", store, TickStore::openFiles).description("Day databases open").register(r);
        Gauge.builder("ticksink.ready", notReadyBecause, n -> n.get() == null ? 1 : 0)
                .description("1 when the consumer is in its group and writes succeed").register(r);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        // open files against the limit: every day database holds its file, its -wal and its -shm
        new FileDescriptorMetrics().bindTo(r);
        // a full disk stops every write (they are retried, nothing is committed): watch it coming
        new DiskSpaceMetrics(store.dataDir().toFile()).bindTo(r);
    }

    public void batchWritten(int stored, int skipped, long nanos) {
        ticksStored.increment(stored);
        ticksSkipped.increment(skipped);
        batchWrite.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A batch's offsets were committed; {@code recordTimestamps} are the Kafka timestamps of a sample
     * of its records, at most {@value #LATENCY_SAMPLES_PER_BATCH}, so the cost does not grow with the batch.
     */
    public void committed(int records, long[] recordTimestamps) {
        long now = System.currentTimeMillis();
        for (long ts : recordTimestamps) {
            if (ts > 0) {
                commitLatency.record(Math.max(0, now - ts), TimeUnit.MILLISECONDS);
            }
        }
        batches.increment();
        recordsCommitted.add(records);
        lastCommitMillis.set(now);
    }

    public void retried() {
        retries.increment();
    }

    /**
     * A rejected record became durable as a dead letter; {@code destination} says where: {@code topic}
     * (acknowledged by the dead-letter topic) or {@code rejects-file} (the topic refused it for good).
     */
    public void deadLettered(String reason, String destination) {
        deadLetters.computeIfAbsent(reason + '\0' + destination, k -> Counter.builder("ticksink.dead.letters")
                .description("Rejected records made durable as dead letters, by reason and where they went")
                .tags(Tags.of("reason", reason, "destination", destination)).register(registry))
                .increment();
    }

    public void lag(TopicPartition tp, long value) {
        lag.computeIfAbsent(tp, p -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("ticksink.consumer.lag", holder, AtomicLong::get).description("Records behind the end of the partition")
                    .tags(Tags.of("topic", p.topic(), "partition", Integer.toString(p.partition()))).register(registry);
            return holder;
        }).set(value);
    }

    /** A partition's offsets went back: its topic was created anew ({@code topic-recreated}) or offsets were reused. */
    public void offsetsWentBack(TopicPartition tp, String cause) {
        Counter.builder("ticksink.offsets.reset")
                .description("Times a partition's offsets went back; its records since are stored as a new incarnation")
                .tags(Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()), "cause", cause))
                .register(registry).increment();
    }

    /** A day file held another incarnation of a Kafka stream ({@code kafka:<topic>:<partition>}) than the ticks written to it. */
    public void streamRestarted(String stream) {
        int partition = stream.lastIndexOf(':');
        int topic = stream.indexOf(':');
        offsetsWentBack(new TopicPartition(stream.substring(topic + 1, partition),
                Integer.parseInt(stream.substring(partition + 1))), "new-incarnation-in-day-file");
    }

    /** Partitions revoked or lost: their lag is no longer this member's to report. */
    public void forgetLag(java.util.Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (lag.remove(tp) != null) {
                registry.find("ticksink.consumer.lag")
                        .tags("topic", tp.topic(), "partition", Integer.toString(tp.partition()))
                        .gauges().forEach(registry::remove);
            }
        }
    }

    public void ready() {
        notReadyBecause.set(null);
    }

    public void notReady(String reason) {
        notReadyBecause.set(reason);
    }

    /** {@code null} when ready, else why not. */
    public String notReadyReason() {
        return notReadyBecause.get();
    }

    public long ticksStored() {
        return (long) ticksStored.count();
    }

    /** Records (ticks and rejects) whose offsets were committed. */
    public long recordsCommitted() {
        return recordsCommitted.sum();
    }

    public String scrape() {
        return registry.scrape();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
