package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ticksink.cli.ExitCodes;
import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.PositionIndex;
import io.ticksink.schema.StoredPositions;
import io.ticksink.schema.StreamChunk;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit's parts without a broker: verdicts, ranges, and the stored copies read in offset order. */
class AuditPartsTest {

    private static final LocalDate D1 = LocalDate.parse("2026-02-20");
    private static final LocalDate D2 = LocalDate.parse("2026-02-21");
    private static final String STREAM = StreamChunk.kafkaStream("ticks", 0);

    @TempDir
    Path dir;

    @Test
    void aRecordIsStoredOnceOnlyWithOneRowInTheFileOfItsTicksDay() {
        AuditVerdict.Copy inD1 = new AuditVerdict.Copy(D1, "a");
        AuditVerdict.Copy inD2 = new AuditVerdict.Copy(D2, "b");
        AuditVerdict.Copy deadLetter = new AuditVerdict.Copy(null, "dlq-0@1");
        assertThat(AuditVerdict.of(D1, List.of(inD1))).isEqualTo(AuditVerdict.STORED_ONCE);
        assertThat(AuditVerdict.of(D1, List.of(inD2))).isEqualTo(AuditVerdict.MISPLACED);
        assertThat(AuditVerdict.of(null, List.of(inD1))).as("stored though it does not decode").isEqualTo(AuditVerdict.MISPLACED);
        assertThat(AuditVerdict.of(null, List.of(deadLetter))).isEqualTo(AuditVerdict.DEAD_LETTERED);
        assertThat(AuditVerdict.of(D1, List.of(deadLetter))).isEqualTo(AuditVerdict.DEAD_LETTERED);
        assertThat(AuditVerdict.of(D1, List.of())).isEqualTo(AuditVerdict.MISSING);
        assertThat(AuditVerdict.of(null, List.of())).isEqualTo(AuditVerdict.MISSING);
        assertThat(AuditVerdict.of(D1, List.of(inD1, inD1))).isEqualTo(AuditVerdict.DUPLICATE);
        assertThat(AuditVerdict.of(D1, List.of(inD1, deadLetter))).isEqualTo(AuditVerdict.DUPLICATE);
    }

    @Test
    void aDayRangeCoversTheTimedRecordsAndEveryOffsetTheDaysFilesHoldWithinTheTopic() {
        // timed 100..200, stored 80..250, topic 0..1000
        assertThat(AuditCommand.dayRange(0, 1000, 100L, 200L, 80, 250)).containsExactly(80, 251);
        // nothing timestamped within reach, nothing stored: empty
        assertThat(AuditCommand.dayRange(0, 1000, null, null, -1, -1)).containsExactly(1000, 1000);
        // records timestamped up to the end, nothing stored: from the first timed record to the end
        assertThat(AuditCommand.dayRange(0, 1000, 400L, null, -1, -1)).containsExactly(400, 1000);
        // retention deleted the start, and the audit ends before what is stored
        assertThat(AuditCommand.dayRange(300, 600, 100L, 200L, 80, 900)).containsExactly(300, 600);
    }

    @Test
    void aRecordsDigestTellsKeysAndValuesApartAndANullPartFromAnEmptyOne() {
        RecordDigest digest = new RecordDigest();
        byte[] key = "EURUSD".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer value = java.nio.ByteBuffer.wrap("not a tick".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long d = digest.of(key, value);
        assertThat(digest.of(key.clone(), value.duplicate())).isEqualTo(d);
        assertThat(value.remaining()).as("the value is read, not consumed").isEqualTo(10);
        assertThat(digest.of("GBPUSD".getBytes(java.nio.charset.StandardCharsets.UTF_8), value)).isNotEqualTo(d);
        assertThat(digest.of(null, java.nio.ByteBuffer.allocate(0))).isNotEqualTo(digest.of(new byte[0], null));
    }

    @Test
    void anIncarnationsTopicIdIsItsFingerprintBeforeAnyMark() {
        assertThat(StoreLineage.topicIdOf("AbCd")).isEqualTo("AbCd");
        assertThat(StoreLineage.topicIdOf("AbCd#2@1500")).isEqualTo("AbCd");
    }

    @Test
    void copiesComeInOffsetOrderAcrossFilesAndDeadLettersAndThoseBetweenAskedOffsetsArePassedOver() throws Exception {
        Path a = write(D1, "a", 0, 1, 2, 5, 9);
        Path b = write(D2, "b", 3, 4, 5, 8);
        try (PositionIndex deadLetters = PositionIndex.create(dir)) {
            deadLetters.add(STREAM, 7, "dlq@1", 0);
            deadLetters.add(STREAM, 6, "dlq@0", 0);
            deadLetters.add(StreamChunk.kafkaStream("ticks", 1), 6, "other partition", 0);
            deadLetters.seal();
            List<String> passed = new ArrayList<>();
            try (StoredCopies copies = new StoredCopies(STREAM, List.of(range(a, D1), range(b, D2)),
                    deadLetters.entries(STREAM, 0, 10), 0, 10, 2)) {
                assertThat(copies.at(0, p -> passed.add(p.position() + ""))).extracting(AuditVerdict.Copy::location)
                        .containsExactly(a.toString());
                assertThat(copies.at(2, p -> passed.add(p.position() + ""))).extracting(AuditVerdict.Copy::day).containsExactly(D1);
                assertThat(copies.at(5, p -> passed.add(p.position() + ""))).extracting(AuditVerdict.Copy::location)
                        .containsExactlyInAnyOrder(a.toString(), b.toString());
                assertThat(copies.at(6, p -> passed.add(p.position() + ""))).extracting(AuditVerdict.Copy::location)
                        .containsExactly("dlq@0");
                copies.finish(p -> passed.add(p.position() + ""));
                assertThat(copies.maxOpenSeen()).isEqualTo(2);
            }
            assertThat(passed).containsExactly("1", "3", "4", "7", "8", "9");
        }
    }

    @Test
    void aFileIsOpenedOnlyWhenTheOffsetsReachItsLeastPositionAndMoreOverlappingFilesThanAllowedFailTheAudit() throws Exception {
        Path a = write(D1, "a", 0, 1, 2);
        Path b = write(D2, "b", 3, 4);
        Path c = write(LocalDate.parse("2026-02-22"), "c", 1, 5);
        // a and b do not overlap: one cursor at a time
        try (StoredCopies copies = new StoredCopies(STREAM, List.of(range(b, D2), range(a, D1)), null, 0, 10, 1)) {
            for (long o = 0; o < 10; o++) {
                assertThat(copies.at(o, p -> { })).hasSize(o < 5 ? 1 : 0);
            }
            assertThat(copies.maxOpenSeen()).isEqualTo(1);
        }
        try (StoredCopies copies = new StoredCopies(STREAM, List.of(range(a, D1), range(c, D1)), null, 0, 10, 1)) {
            assertThat(copies.at(0, p -> { })).hasSize(1);
            assertThatThrownBy(() -> copies.at(1, p -> { })).isInstanceOf(StoredCopies.TooManyOpen.class)
                    .hasMessageContaining("raise --max-open-files");
        }
    }

    @Test
    void contradictoryOrImpossibleOptionsAreUsageErrorsBeforeKafkaIsAsked() {
        String[] base = {"audit", "--bootstrap-servers", "127.0.0.1:1", "--topic", "ticks", "--data-dir", dir.toString()};
        Cli.Run both = Cli.run(concat(base, "--from-offset", "5", "--day", "2026-02-20"));
        Cli.Run noCursor = Cli.run(concat(base, "--max-open-files", "0"));
        Cli.Run negative = Cli.run(concat(base, "--from-offset", "-1"));
        Cli.Run twice = Cli.run(concat(base, "--data-dir", dir.resolve(".").toString()));

        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(noCursor.exitCode()).isEqualTo(2);
        assertThat(noCursor.err()).contains("--max-open-files must be at least 1");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--from-offset must not be negative");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("is given twice");
    }

    @Test
    void aClusterThatDoesNotAnswerFailsTheAuditWithOneMessageNamingIt() {
        Cli.Run run = Cli.run("audit", "--bootstrap-servers", "127.0.0.1:1", "--topic", "ticks", "--data-dir", dir.toString(),
                "--timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.PROBLEM);
        assertThat(run.err()).startsWith("error: cannot audit ticks at 127.0.0.1:1: TimeoutException");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void theProgressLineIsRewrittenInPlaceOnATerminalAndAbsentOtherwise() {
        java.io.StringWriter terminal = new java.io.StringWriter();
        AuditProgress shown = new AuditProgress(new java.io.PrintWriter(terminal), true);
        shown.say("reading the dead letters ...");
        shown.clear();
        java.io.StringWriter pipe = new java.io.StringWriter();
        AuditProgress hidden = new AuditProgress(new java.io.PrintWriter(pipe), false);
        hidden.say("reading the dead letters ...");
        hidden.update(new org.apache.kafka.common.TopicPartition("ticks", 0), 0, 50, 100);
        hidden.clear();

        assertThat(terminal.toString()).isEqualTo("\r\033[Kreading the dead letters ...\r\033[K");
        assertThat(pipe.toString()).isEmpty();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private Path write(LocalDate day, String node, long... positions) throws Exception {
        Path file = DayFiles.path(dir.resolve(node), day);
        try (DayDatabase db = DayDatabase.open(file, DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk(STREAM, null, positions.length);
            for (long p : positions) {
                chunk.add(p, DayFixtures.tick("EURUSD", day + "T10:00:00Z", 1.1, 1.2));
            }
            db.write(List.of(chunk));
        }
        return file;
    }

    private static StoredCopies.FileRange range(Path file, LocalDate day) throws Exception {
        Map<String, StoredPositions.Stream> streams = StoredPositions.scan(file);
        StoredPositions.Stream s = streams.get(STREAM);
        return new StoredCopies.FileRange(file, day, s.min(), s.max());
    }
}
