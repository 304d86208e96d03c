package io.ticksink.consumer;

import io.ticksink.cli.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka answers, asked while the consumer is not in its group. The question is one
 * {@code DescribeCluster} request through the service's admin client, answered by any broker. It
 * is asked every {@value #PERIOD_SECONDS} s while the consumer is not ready, and never once it is,
 * so a running consumer pays nothing for it. The answers go to an {@link OutageReport}, which
 * logs ticksink's own line at a bounded rate, naming the address and how long the outage has
 * lasted. The Kafka client's own warnings are limited by {@link RepeatedMessageFilter}.
 *
 * <p>{@link #awaitCluster()} holds the start until Kafka answers. It retries for as long as it
 * takes, with {@code /health/ready} answering 503 and why, and returns early on
 * {@link #requestStop()}. An answer that is an error other than a retriable one (authentication,
 * authorization) counts as an answer: the start-up checks after it report that error and stop.
 * {@link #start()} then watches on a daemon thread while the consumer runs; it only logs and
 * leaves readiness to the consumer loop.
 *
 * <p>Thread safe. The admin client is the caller's and stays open.
 */
final class BrokerWatch implements AutoCloseable {

    static final long PERIOD_SECONDS = 5;
    /** How long one probe waits for an answer. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** How often a waiting probe looks whether a stop was requested. */
    private static final long STOP_CHECK_MILLIS = 200;

    private static final Logger log = LoggerFactory.getLogger(BrokerWatch.class);

    private final Admin admin;
    private final String bootstrap;
    private final String group;
    private final ConsumerMetrics metrics;
    private final OutageReport report;
    private final Object lock = new Object();
    private volatile boolean stopping;
    private Thread thread;

    BrokerWatch(Admin admin, String bootstrap, String group, ConsumerMetrics metrics) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.group = group;
        this.metrics = metrics;
        this.report = new OutageReport(bootstrap);
    }

    String bootstrap() {
        return bootstrap;
    }

    /**
     * Returns once Kafka answers (true), or when a stop was requested first (false). Meanwhile
     * {@code /health/ready} says that Kafka cannot be reached and for how long.
     */
    boolean awaitCluster() {
        while (!stopping) {
            if (probe()) {
                metrics.notReady("joining group " + group + " at Kafka " + bootstrap);
                return true;
            }
            synchronized (report) {
                Duration outage = report.outage(System.nanoTime()).orElse(Duration.ZERO);
                metrics.notReady("cannot reach Kafka at " + bootstrap + " for " + OutageReport.format(outage.toNanos()));
            }
            pause(PERIOD_SECONDS);
        }
        return false;
    }

    /** Watches on a daemon thread, while the consumer is not ready, until {@link #close()}. */
    void start() {
        synchronized (lock) {
            if (thread != null || stopping) {
                return;
            }
            thread = new Thread(() -> {
                while (!stopping) {
                    if (metrics.notReadyReason() != null) {
                        probe();
                    }
                    pause(PERIOD_SECONDS);
                }
            }, "ticksink-broker-watch");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Ends {@link #awaitCluster()} and the watch. Safe from any thread. */
    void requestStop() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Sends one probe; true when Kafka answered, false when it did not or a stop was requested. */
    private boolean probe() {
        long sent = System.nanoTime();
        Optional<String> unanswered = unanswered(admin.describeCluster(
                new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis())).clusterId());
        long now = System.nanoTime();
        synchronized (report) {
            if (unanswered.isEmpty()) {
                report.answered(now).ifPresent(log::info);
                return true;
            }
            if (!stopping) {
                report.unanswered(sent, now, unanswered.get()).ifPresent(log::warn);
            }
            return false;
        }
    }

    /** Waits for the probe's answer; empty when Kafka answered, else why it did not. */
    private Optional<String> unanswered(KafkaFuture<String> answer) {
        long deadline = System.nanoTime() + PROBE_TIMEOUT.plusSeconds(1).toNanos();
        while (!stopping) {
            try {
                answer.get(STOP_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                return Optional.empty();
            } catch (TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    return Optional.of("no answer within " + Durations.format(PROBE_TIMEOUT));
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RetriableException) {
                    return Optional.of(cause instanceof org.apache.kafka.common.errors.TimeoutException
                            ? "no answer within " + Durations.format(PROBE_TIMEOUT)
                            : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                }
                return Optional.empty(); // an answer, if a refusal: the checks that follow report it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
        return Optional.of("stopping");
    }

    private void pause(long seconds) {
        synchronized (lock) {
            if (stopping) {
                return;
            }
            try {
                lock.wait(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    @Override
    public void close() {
        requestStop();
        Thread t;
        synchronized (lock) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(PROBE_TIMEOUT.plusSeconds(2).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
