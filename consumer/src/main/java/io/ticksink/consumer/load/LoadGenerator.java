package io.ticksink.consumer.load;

import io.ticksink.cli.CommandLines;
import io.ticksink.cli.Durations;
import io.ticksink.cli.ExitCodes;
import io.ticksink.consumer.KafkaSecrets;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/**
 * {@code ticksink-consumer loadgen}: publishes {@link SyntheticTicks} keyed by symbol at a paced
 * rate ({@link RatePacer}), prints progress and a summary. Used to load a topic for measurements
 * and by the scaling tests, which regenerate the same ticks from the same options to check what
 * was stored.
 *
 * <p>{@link #run()} runs on one thread; {@link #requestStop()} and the counters are safe from any
 * thread. Once {@link #run()} returns, every sent tick was either acknowledged or counted failed.
 */
public final class LoadGenerator {

    /** What a run did. {@code sent == acked + failed} once the run is over. */
    public record Summary(long sent, long acked, long failed, Duration elapsed, String firstError) {
        public double ratePerSecond() {
            return elapsed.isZero() ? 0 : acked / (elapsed.toNanos() / 1e9);
        }
    }

    private static final long MAX_BURST_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MAX_PARK_NANOS = Duration.ofMillis(100).toNanos();

    private final LoadGenOptions options;
    private final PrintStream out;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile boolean stopping;

    public LoadGenerator(LoadGenOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Parses and validates loadgen arguments; throws {@link CommandLine.ParameterException} naming a bad option. */
    public static LoadGenOptions options(String... args) {
        LoadGenOptions options = new LoadGenOptions();
        new CommandLine(options).parseArgs(args);
        options.validate();
        return options;
    }

    /**
     * The command {@code ticksink-consumer loadgen}: parses the arguments, publishes, prints the
     * summary; returns the exit status: {@link ExitCodes#OK} when every tick was acknowledged,
     * {@link ExitCodes#PROBLEM} otherwise, {@link ExitCodes#USAGE} for a bad option.
     */
    public static int main(String[] args, PrintStream out, PrintStream err) {
        LoadGenOptions options = new LoadGenOptions();
        CommandLine cmd = new CommandLine(options).setOut(new PrintWriter(out, true));
        try {
            if (CommandLine.printHelpIfRequested(cmd.parseArgs(args))) {
                return 0;
            }
            options.validate();
        } catch (CommandLine.ParameterException e) {
            return CommandLines.usageError(new PrintWriter(err, true), "ticksink-consumer loadgen",
                    KafkaSecrets.maskText(e.getMessage()));
        }
        LoadGenerator generator = new LoadGenerator(options, out);
        AtomicInteger status = new AtomicInteger(ExitCodes.PROBLEM);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            generator.requestStop();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            Runtime.getRuntime().halt(status.get()); // our status, not 143 for the signal
        }, "ticksink-loadgen-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Summary summary = generator.run();
            status.set(summary.failed() == 0 ? ExitCodes.OK : ExitCodes.PROBLEM);
        } catch (KafkaException e) {
            err.println("ticksink-consumer loadgen: " + KafkaSecrets.maskText(e.getMessage()));
        } finally {
            finished.countDown();
        }
        return status.get();
    }

    /** Publishes until --count, --duration or {@link #requestStop()}; waits for every acknowledgement. */
    public Summary run() {
        SyntheticTicks ticks = options.ticks();
        long limit = options.count == null ? Long.MAX_VALUE : options.count;
        long start = System.nanoTime();
        long end = options.duration == null ? Long.MAX_VALUE : start + options.duration.toNanos();
        long progressNanos = options.progress.toNanos();
        long nextProgress = start + progressNanos;
        long lastSent = 0;
        long lastProgress = start;
        RatePacer pacer = new RatePacer(options.rate, MAX_BURST_NANOS, start);
        out.printf("loadgen: publishing %s ticks of %d symbols to %s at %s, event time from %s every %s%n",
                limit == Long.MAX_VALUE ? "unbounded" : String.format("%,d", limit), options.symbols, options.topic,
                options.rate == 0 ? "unlimited rate" : String.format("%,.0f ticks/s", options.rate), options.start,
                Durations.format(options.step));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(options),
                new StringSerializer(), new StringSerializer())) {
            while (!stopping && sent.get() < limit) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    break;
                }
                if (progressNanos > 0 && now - nextProgress >= 0) {
                    long s = sent.get();
                    out.printf("loadgen: sent %,d, acked %,d, failed %,d (%,.0f ticks/s)%n", s, acked.get(), failed.get(),
                            (s - lastSent) / ((now - lastProgress) / 1e9));
                    lastSent = s;
                    lastProgress = now;
                    nextProgress = now + progressNanos;
                }
                long wait = pacer.nanosUntilNext(now);
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS)); // pacing, re-checking the stop flag
                    continue;
                }
                String key = ticks.nextSymbol();
                producer.send(new ProducerRecord<>(options.topic, key, ticks.next()), (metadata, error) -> {
                    if (error == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, error.toString());
                    }
                });
                sent.incrementAndGet();
                pacer.sent();
            }
            producer.flush();
        }
        Summary summary = new Summary(sent.get(), acked.get(), failed.get(), Duration.ofNanos(System.nanoTime() - start),
                firstError.get());
        out.printf("loadgen: sent %,d ticks to %s in %.1f s (%,.0f ticks/s); acknowledged %,d, failed %,d%n",
                summary.sent(), options.topic, summary.elapsed().toNanos() / 1e9, summary.ratePerSecond(),
                summary.acked(), summary.failed());
        if (summary.firstError() != null) {
            out.println("loadgen: first failure: " + summary.firstError());
        }
        return summary;
    }

    /** Stops sending; {@link #run()} then waits for what is in flight and returns. Safe from any thread. */
    public void requestStop() {
        stopping = true;
    }

    public long sent() {
        return sent.get();
    }

    public long acked() {
        return acked.get();
    }

    public long failed() {
        return failed.get();
    }

    static Map<String, Object> producerProperties(LoadGenOptions options) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ticksink-loadgen-" + ProcessHandle.current().pid());
        // a tick counts as published only once every in-sync replica has it; with idempotence a
        // retry after a broker restart writes it once, so the summary's count is what the topic holds
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // bigger batches: a few ms of latency buys several times the throughput
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.putAll(options.kafkaProperties);
        return p;
    }
}
