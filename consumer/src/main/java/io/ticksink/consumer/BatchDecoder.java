package io.ticksink.consumer;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka records into a batch, as ticks routed by the UTC day of their own timestamp; the
 * record key is the symbol when the value has none. Records that fail go to the rejected list.
 *
 * <p>Thread safe; the batch it adds to is not.
 */
public final class BatchDecoder {

    private final TickDecoder decoder = new TickDecoder();

    /** Decodes one record and adds it to a batch, as a tick or as a rejected record. */
    public void decodeInto(DecodedBatch batch, ConsumerRecord<byte[], ByteBuffer> record) {
        try {
            Tick tick = decoder.decodeRecord(record.value(), record.key());
            batch.addTick(record, DayFiles.day(tick.timestampMillis()), tick);
        } catch (TickRejectedException e) {
            batch.addRejected(record, e.reason().name(), e.getMessage());
        }
    }
}
