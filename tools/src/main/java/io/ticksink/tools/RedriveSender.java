package io.ticksink.tools;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes dead letters again, one Kafka transaction per call of {@link #send}: the records to
 * their topics and, for each, its entry in the ledger topic. Either all of a transaction is
 * committed or none of it, so a dead letter is in the ledger exactly when its redrive is.
 *
 * <p>The producer's {@code transactional.id} is one per dead-letter topic: {@link #start} fences any
 * other redrive of the same dead-letter topic still running (it fails at its next send or commit)
 * and ends the transaction a killed one left open (aborted, or completed if it was committing),
 * so that the ledger read afterwards is final. Not thread safe; owns its producer.
 */
final class RedriveSender implements AutoCloseable {

    /** Runs before each commit with the transaction's number (from 1): a test's hold point. */
    static volatile IntConsumer beforeCommit = transaction -> { };

    /** A dead letter and the topic it goes to. */
    record Pending(DeadLetter deadLetter, String topic) {
    }

    /** A dead letter and where it went, committed. */
    record Sent(DeadLetter deadLetter, RecordMetadata to) {
    }

    /** The redrive cannot go on: the message says why and what was committed stays committed. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String transactionalId;
    private final String ledgerTopic;
    private final Uuid dlqTopicId;
    private final Duration timeout;
    private final Clock clock;
    private int transactions;

    /** @param properties the producer's settings, {@code transactional.id} among them */
    RedriveSender(Map<String, Object> properties, String transactionalId, String ledgerTopic, Uuid dlqTopicId,
                  Duration timeout, Clock clock) {
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        this.transactionalId = transactionalId;
        this.ledgerTopic = ledgerTopic;
        this.dlqTopicId = dlqTopicId;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The transactional id of the redrives of {@code dlqTopic}. */
    static String transactionalId(String dlqTopic) {
        return "ticksink-redrive-" + dlqTopic;
    }

    /** Fences other redrives of this dead-letter topic and ends what a killed one left open. */
    void start() {
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            throw new Failure("cannot start the transactional producer " + transactionalId + describe(e), e);
        }
    }

    /** Transactions committed so far. */
    int transactions() {
        return transactions;
    }

    /**
     * Sends the dead letters and their ledger entries in one transaction and commits it.
     *
     * @return where each went, in the given order
     * @throws Failure when the transaction could not be committed; it was aborted if it could be
     */
    List<Sent> send(List<Pending> batch) throws InterruptedException {
        int number = transactions + 1;
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                sends.add(producer.send(p.deadLetter().redriveTo(p.topic())));
            }
            // the ledger entry names where its record went, so the records are acknowledged first
            producer.flush();
            List<Sent> sent = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                sent.add(new Sent(batch.get(i).deadLetter(), sends.get(i).get(timeout.toMillis(), TimeUnit.MILLISECONDS)));
            }
            long now = clock.millis();
            for (Sent s : sent) {
                producer.send(RedriveLedger.entry(ledgerTopic, dlqTopicId, s.deadLetter(), s.to(), now));
            }
            beforeCommit.accept(number);
            producer.commitTransaction();
            transactions = number;
            return sent;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new Failure("another redrive of the same dead-letter topic started (transactional id " + transactionalId
                    + ") and fenced this one; transaction " + number + " is not committed", e);
        } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            // the producer cannot abort after these: closing it leaves the transaction to time out or to the next run
            throw new Failure("transaction " + number + " failed and is not committed" + describe(e), e);
        } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
            Failure failure = new Failure("transaction " + number + " failed and is aborted (or, if its commit was "
                    + "already under way, completed: a rerun learns which from the ledger)" + describe(e), e);
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                failure.addSuppressed(abortFailed);
            }
            throw failure;
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String hint = cause instanceof AuthorizationException
                ? " (the principal needs WRITE on the ticks and ledger topics and on the transactional id)" : "";
        return ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + hint;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
