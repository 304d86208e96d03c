package io.ticksink.consumer;

import io.ticksink.schema.DayFiles;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import io.ticksink.schema.TickRejectedException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes a batch of Kafka records into ticks routed by the UTC day of their own timestamp; the
 * record key is the symbol when the value has none. Records that fail go to the rejected list.
 *
 * <p>Thread safe.
 */
public final class BatchDecoder {

    private final TickDecoder decoder = new TickDecoder();

    public DecodedBatch decode(List<ConsumerRecord<byte[], byte[]>> records) {
        DecodedBatch batch = new DecodedBatch(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            decodeInto(batch, record);
        }
        return batch;
    }

    /** Decodes one record and adds it to a batch, as a tick or as a rejected record. */
    public void decodeInto(DecodedBatch batch, ConsumerRecord<byte[], byte[]> record) {
        try {
            Tick tick = decoder.decodeRecord(record.value(), record.key());
            batch.addTick(record, DayFiles.day(tick.timestampMillis()), tick);
        } catch (TickRejectedException e) {
            batch.addRejected(record, e.reason().name(), e.getMessage());
        }
    }
}
