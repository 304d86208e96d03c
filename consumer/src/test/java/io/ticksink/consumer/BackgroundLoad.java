package io.ticksink.consumer;

import io.ticksink.consumer.load.LoadGenOptions;
import io.ticksink.consumer.load.LoadGenerator;
import io.ticksink.consumer.load.SyntheticTicks;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The product's {@link LoadGenerator} publishing on a thread of the test JVM while the test
 * churns the consumers; knows which ticks it published, by generating them again.
 */
final class BackgroundLoad implements AutoCloseable {

    private final LoadGenOptions options;
    private final LoadGenerator generator;
    private final CompletableFuture<LoadGenerator.Summary> summary = new CompletableFuture<>();

    private BackgroundLoad(LoadGenOptions options) {
        this.options = options;
        this.generator = new LoadGenerator(options, System.out);
        Thread thread = new Thread(() -> {
            try {
                summary.complete(generator.run());
            } catch (Throwable t) {
                summary.completeExceptionally(t);
            }
        }, "loadgen-under-test");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code loadgen} with these arguments. */
    static BackgroundLoad start(String... args) {
        return new BackgroundLoad(LoadGenerator.options(args));
    }

    long acked() {
        return generator.acked();
    }

    boolean isRunning() {
        return !summary.isDone();
    }

    /** Stops publishing and waits until everything in flight is acknowledged or failed. */
    LoadGenerator.Summary stop() throws Exception {
        generator.requestStop();
        return summary.get(150, TimeUnit.SECONDS);
    }

    /** The first {@code n} ticks this load publishes, as {@link TestTicks#row(Tick)} strings, in order. */
    List<String> rows(long n) throws TickRejectedException {
        SyntheticTicks ticks = options.ticks();
        TickDecoder decoder = new TickDecoder();
        List<String> rows = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            String key = ticks.nextSymbol();
            rows.add(TestTicks.row(decoder.decode(ticks.next().getBytes(StandardCharsets.UTF_8), key)));
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        if (isRunning()) {
            generator.requestStop();
            summary.get(Duration.ofSeconds(150).toSeconds(), TimeUnit.SECONDS);
        }
    }
}
