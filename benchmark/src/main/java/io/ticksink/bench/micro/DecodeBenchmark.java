package io.ticksink.bench.micro;

import io.ticksink.schema.RecordDecoder;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import io.ticksink.schema.Timestamps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-tick decoding cost: a whole tick object, by the one-shot decoder (a parser per value)
 * and by the consumer's record decoder (one parser fed value after value), and the RFC 3339
 * timestamp alone with the hand-written fast path against {@code java.time}'s parser.
 *
 * <pre>java -cp benchmark/target/ticksink-benchmark.jar org.openjdk.jmh.Main DecodeBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {

    private static final String TIMESTAMP = "2026-01-19T10:15:30.123456789Z";
    private final char[] timestampChars = TIMESTAMP.toCharArray();

    private final TickDecoder decoder = new TickDecoder();
    private final byte[] legacy = ("{\"broker_id\":\"BROKER-001\",\"symbol\":\"EURUSD\",\"bid\":1.0654,\"ask\":1.0655,"
            + "\"spread\":0.00015,\"timestamp\":\"" + TIMESTAMP + "\",\"lp\":\"OANDA-HISTORICAL\"}")
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] epochMillis = ("{\"symbol\":\"EURUSD\",\"bid\":1.0654,\"ask\":1.0655,\"timestamp\":1768817730123}")
            .getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public Tick decodeLegacyTick() throws TickRejectedException {
        return decoder.decode(legacy, "EURUSD");
    }

    @Benchmark
    public Tick decodeEpochMillisTick() throws TickRejectedException {
        return decoder.decode(epochMillis, "EURUSD");
    }

    private final RecordDecoder records = new RecordDecoder(decoder);
    private final byte[] key = "EURUSD".getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public Tick recordDecoderLegacyTick() throws TickRejectedException {
        return records.decode(ByteBuffer.wrap(legacy), key);
    }

    @Benchmark
    public Tick recordDecoderEpochMillisTick() throws TickRejectedException {
        return records.decode(ByteBuffer.wrap(epochMillis), key);
    }

    @Benchmark
    public long timestampFastPath() throws TickRejectedException {
        return Timestamps.fromRfc3339(timestampChars, 0, timestampChars.length); // as the decoder reads it
    }

    @Benchmark
    public long timestampJavaTime() {
        return OffsetDateTime.parse(TIMESTAMP, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
    }
}
