package io.ticksink.consumer.load;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code --demo N}: publishes N synthetic ticks spanning the last UTC midnight, waits until the
 * consumer has stored and committed them, prints a summary and stops the consumer.
 */
public final class Demo implements Runnable {

    private final String bootstrapServers;
    private final String topic;
    private final long count;
    private final Path dataDir;
    private final LongSupplier committedRecords;
    private final DoubleSupplier writeSeconds;
    private final Runnable stop;
    private final PrintStream out;

    /**
     * @param committedRecords the consumer's count of records committed so far
     * @param writeSeconds the consumer's time spent in SQLite transactions so far, in seconds
     * @param stop stops the consumer once the summary is printed
     */
    public Demo(String bootstrapServers, String topic, long count, Path dataDir, LongSupplier committedRecords,
                DoubleSupplier writeSeconds, Runnable stop, PrintStream out) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.count = count;
        this.dataDir = dataDir;
        this.committedRecords = committedRecords;
        this.writeSeconds = writeSeconds;
        this.stop = stop;
        this.out = out;
    }

    @Override
    public void run() {
        try {
            long start = System.nanoTime();
            long alreadyCommitted = committedRecords.getAsLong();
            publish();
            out.printf("Published %,d ticks to %s; waiting until they are stored...%n", count, topic);
            while (committedRecords.getAsLong() - alreadyCommitted < count) {
                Thread.sleep(20); // polling a counter; the consumer thread commits asynchronously
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            summary(seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | StoreException | RuntimeException e) {
            out.println("demo failed: " + e);
        } finally {
            stop.run();
        }
    }

    private void publish() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // spread over two hours around the last UTC midnight, so two day files fill
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant from = today.atStartOfDay(ZoneOffset.UTC).toInstant().minus(Duration.ofHours(1));
        SyntheticTicks ticks = new SyntheticTicks(42, 8, from, Duration.ofHours(2).toNanos() / Math.max(count, 1));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (long i = 0; i < count; i++) {
                String key = ticks.nextSymbol();
                producer.send(new ProducerRecord<>(topic, key, ticks.next()));
            }
            producer.flush();
        }
    }

    private void summary(double seconds) throws IOException, StoreException {
        List<Path> files = DayFiles.list(dataDir);
        double writeSeconds = this.writeSeconds.getAsDouble();
        out.printf("%nStored %,d ticks in %.1f s, publishing included (%,.0f ticks/s);%n"
                + "the SQLite transactions took %.2f s of it (%,.0f ticks/s). %d day file(s):%n",
                count, seconds, count / seconds, writeSeconds, count / Math.max(writeSeconds, 1e-9), files.size());
        for (Path file : files) {
            out.printf("  %-50s %,12d ticks%n", file, DayReader.count(file));
        }
        if (!files.isEmpty()) {
            Path last = files.get(files.size() - 1);
            out.printf("%nA sample of %s:%n", last);
            out.printf("  %-8s %-24s %9s %9s %8s %-6s %s%n", "symbol", "timestamp (UTC)", "bid", "ask", "spread",
                    "lp", "broker_id");
            for (Tick t : DayReader.sample(last, 5)) {
                out.printf("  %-8s %-24s %9.5f %9.5f %8.5f %-6s %s%n", t.symbol(), t.timestamp(), t.bid(), t.ask(),
                        t.spread(), t.lpSource(), t.brokerId());
            }
            out.printf("%nQuery it yourself: sqlite3 %s \"SELECT symbol, count(*) FROM ticks GROUP BY symbol\"%n", last);
        }
    }
}
