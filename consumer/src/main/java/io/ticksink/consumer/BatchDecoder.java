package io.ticksink.consumer;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.RecordDecoder;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records into a batch, as ticks routed by the UTC day of their own timestamp; the
 * record key is the symbol when the value has none. Records that fail go to the rejected list.
 *
 * <p>Not thread safe: owned by the consumer thread, like the batch it adds to.
 */
public final class BatchDecoder {

    private final RecordDecoder decoder = new RecordDecoder(new TickDecoder());
    /** The day of the last tick: ticks come mostly of one day. */
    private long lastEpochDay = Long.MIN_VALUE;
    private LocalDate lastDay;

    /** Decodes one record and adds it to a batch, as a tick or as a rejected record. */
    public void decodeInto(DecodedBatch batch, ConsumerRecord<byte[], ByteBuffer> record) {
        try {
            Tick tick = decoder.decode(record.value(), record.key());
            batch.addTick(record, dayOf(tick), tick);
        } catch (TickRejectedException e) {
            batch.addRejected(record, e.reason().name(), e.getMessage());
        }
    }

    private LocalDate dayOf(Tick tick) {
        long epochDay = DayFiles.epochDay(tick.timestampMillis());
        if (epochDay != lastEpochDay) {
            lastDay = LocalDate.ofEpochDay(epochDay);
            lastEpochDay = epochDay;
        }
        return lastDay;
    }
}
