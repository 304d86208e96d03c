package io.ticksink.tools;

import static io.ticksink.tools.DeadLetterFixtures.header;
import static io.ticksink.tools.DeadLetterFixtures.publish;
import static io.ticksink.tools.DeadLetterFixtures.readAll;
import static io.ticksink.tools.DeadLetterFixtures.reject;
import static io.ticksink.tools.DeadLetterFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.cli.ExitCodes;
import io.ticksink.testing.KafkaBroker;
import io.ticksink.testing.KafkaTestCluster;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** {@code redrive} against a real broker: what it chooses, what it sends, and that it sends nothing twice. */
class RedriveIT {

    @KafkaBroker
    KafkaTestCluster kafka;

    @Test
    void redriveSendsExactlyTheChosenDeadLettersWithTheirOriginalKeyValueAndHeadersAndARerunSendsNothing() {
        String ticks = kafka.createTopic("redrive-ticks", 3);
        String dlq = kafka.createTopic("redrive-dlq", 2);
        List<DeadLetterFixtures.Reject> rejects = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rejects.add(reject(ticks, i % 3, 100 + i, i % 2 == 0 ? "BAD_TIMESTAMP" : "NOT_JSON"));
        }
        publish(kafka, dlq, rejects, 2, true);
        // the consumer sends dead letters in transactions: those of an aborted one are no dead letters
        publish(kafka, dlq, List.of(reject(ticks, 1, 900, "BAD_TIMESTAMP"), reject(ticks, 2, 901, "BAD_TIMESTAMP")), 2,
                false);
        DeadLetterFixtures.publishForeign(kafka, dlq);
        Predicate<DeadLetterFixtures.Reject> chosen = r -> r.reason().equals("BAD_TIMESTAMP") && r.sourcePartition() != 0;
        List<DeadLetterFixtures.Reject> expected = rejects.stream().filter(chosen).toList();

        Cli.Run run = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--reason", "BAD_TIMESTAMP", "--partition", "1", "--partition", "2", "--transaction-size", "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> redriven = readAll(kafka, ticks, true);
        assertThat(redriven).hasSize(expected.size());
        for (DeadLetterFixtures.Reject r : expected) {
            ConsumerRecord<byte[], byte[]> record = redriven.stream().filter(c -> utf8(c.key()).equals(r.key())).findFirst()
                    .orElseThrow(() -> new AssertionError(r.key() + " was not redriven"));
            assertThat(utf8(record.value())).isEqualTo(r.value());
            List<String> headerKeys = new ArrayList<>();
            record.headers().forEach(h -> headerKeys.add(h.key()));
            assertThat(headerKeys).containsExactly("trace-id", DeadLetter.REDRIVEN_FROM, DeadLetter.REDRIVEN_SOURCE);
            assertThat(header(record, "trace-id")).isEqualTo(r.ownHeaders().get("trace-id"));
            assertThat(header(record, DeadLetter.REDRIVEN_SOURCE))
                    .isEqualTo(ticks + "-" + r.sourcePartition() + "@" + r.sourceOffset());
            assertThat(header(record, DeadLetter.REDRIVEN_FROM)).startsWith(dlq + "-");
            // partitioned by key, as the upstream Java producers partition the ticks topic
            assertThat(record.partition()).isEqualTo(BuiltInPartitioner.partitionForKey(record.key(), 3));
        }
        assertThat(run.lines().stream().filter(l -> l.startsWith("sent  "))).hasSize(expected.size());
        assertThat(run.out()).contains("13 dead letters read: " + expected.size() + " sent in 2 transaction(s), "
                + "0 already sent before, " + (12 - expected.size()) + " filtered out, 1 not ticksink dead letters");
        assertThat(readAll(kafka, RedriveLedger.topicFor(dlq), true)).as("ledger entries").hasSize(expected.size());

        Cli.Run rerun = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--reason", "BAD_TIMESTAMP", "--partition", "1", "--partition", "2");

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.out()).contains(": 0 sent in 0 transaction(s), " + expected.size() + " already sent before");
        assertThat(readAll(kafka, ticks, true)).as("nothing sent again").hasSize(expected.size());

        Cli.Run rest = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq);

        assertThat(rest.exitCode()).as(rest.err()).isZero();
        assertThat(rest.out()).contains(": " + (12 - expected.size()) + " sent in 1 transaction(s), " + expected.size()
                + " already sent before, 0 filtered out");
        List<String> keys = readAll(kafka, ticks, true).stream().map(c -> utf8(c.key())).toList();
        assertThat(keys).as("every committed dead letter once, none of the aborted ones")
                .containsExactlyInAnyOrderElementsOf(rejects.stream().map(DeadLetterFixtures.Reject::key).toList());
    }

    @Test
    void aDryRunListsWhatWouldGoAndSendsOrCreatesNothing() {
        String ticks = kafka.createTopic("redrive-dry-ticks", 1);
        String dlq = kafka.createTopic("redrive-dry-dlq", 1);
        publish(kafka, dlq, List.of(reject(ticks, 0, 5, "NOT_JSON"), reject(ticks, 0, 6, "BAD_SYMBOL"),
                reject(ticks, 0, 7, "NOT_JSON")), 1, true);

        Cli.Run run = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--reason", "NOT_JSON", "--dry-run");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.lines().stream().filter(l -> l.startsWith("would send")).toList()).containsExactly(
                "would send  " + dlq + "-0@0  NOT_JSON  from " + ticks + "-0@5  key SYM0-5  to " + ticks,
                "would send  " + dlq + "-0@2  NOT_JSON  from " + ticks + "-0@7  key SYM0-7  to " + ticks);
        assertThat(run.out()).contains("3 dead letters read: 2 would be sent (dry run: nothing sent), 0 already sent before, "
                + "1 filtered out");
        assertThat(kafka.endOffsets(ticks, 1)).isEqualTo(Map.of(0, 0L));
        assertThat(ledgerExists(dlq)).as("the ledger topic is not created by a dry run").isFalse();
    }

    @Test
    void theOffsetAndTimeFiltersChooseBySourceOffsetIncludedAndByDeadLetterTimeUntilExcluded() {
        String ticks = kafka.createTopic("redrive-range-ticks", 1);
        String dlq = kafka.createTopic("redrive-range-dlq", 1);
        Instant t0 = Instant.parse("2026-01-19T08:00:00Z");
        List<DeadLetterFixtures.Reject> rejects = IntStream.range(0, 10).mapToObj(i -> {
            DeadLetterFixtures.Reject r = reject(ticks, 0, 10 + i, "BAD_TIMESTAMP");
            return new DeadLetterFixtures.Reject(r.sourceTopic(), 0, r.sourceOffset(), r.reason(), r.key(), r.value(),
                    r.ownHeaders(), t0.plusSeconds(3600L * i).toEpochMilli());
        }).toList();
        publish(kafka, dlq, rejects, 1, true);

        Cli.Run byOffset = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--from-offset", "12", "--to-offset", "14", "--dry-run");
        Cli.Run byTime = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--since", "2026-01-19T11:00:00Z", "--until", "2026-01-19T14:00:00Z", "--dry-run");

        assertThat(byOffset.exitCode()).as(byOffset.err()).isZero();
        assertThat(sourceOffsets(byOffset)).containsExactly("@12", "@13", "@14");
        assertThat(byTime.exitCode()).as(byTime.err()).isZero();
        assertThat(sourceOffsets(byTime)).containsExactly("@13", "@14", "@15");
    }

    @Test
    void aMissingDeadLetterTopicOrTargetTopicFailsWithAMessageNamingItAndSendsNothing() {
        String ticks = kafka.createTopic("redrive-missing-ticks", 1);
        String dlq = kafka.createTopic("redrive-missing-dlq", 1);
        publish(kafka, dlq, List.of(reject(ticks, 0, 5, "NOT_JSON")), 1, true);

        Cli.Run noDlq = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", "no-such-dlq");
        Cli.Run noTarget = Cli.run("redrive", "--bootstrap-servers", kafka.bootstrapServers(), "--dlq-topic", dlq,
                "--topic", "no-such-ticks");

        assertThat(noDlq.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(noDlq.err()).contains("error: dead-letter topic no-such-dlq does not exist");
        assertThat(noTarget.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(noTarget.err()).contains("topic no-such-ticks (--topic) does not exist");
        assertThat(kafka.endOffsets(ticks, 1)).isEqualTo(Map.of(0, 0L));
    }

    private static List<String> sourceOffsets(Cli.Run run) {
        return run.lines().stream().filter(l -> l.startsWith("would send"))
                .map(l -> l.replaceAll(".* from \\S+-0(@\\d+) .*", "$1")).toList();
    }

    private boolean ledgerExists(String dlq) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            return admin.listTopics().names().get().contains(RedriveLedger.topicFor(dlq));
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
