package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.DayDatabase;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.TickStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** merge reading a source dir that a consumer (a child JVM) keeps writing. */
class MergeBesideALiveConsumerTest {

    private static final LocalDate DAY = LocalDate.parse("2026-02-20");

    @TempDir
    Path work;

    private Process writer;
    private final List<String> writerLines = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWriter() throws Exception {
        if (writer != null && writer.isAlive()) {
            writer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void mergesDuringAndAfterALiveWriteHoldEachCommittedRecordOnceAndTheLastHoldsThemAll() throws Exception {
        Path live = work.resolve("live");
        Path copy = work.resolve("copy");
        Path target = work.resolve("target");
        // another node's dir holding copies of the live stream's first records
        try (TickStore store = new TickStore(copy, DayFixtures.OPTIONS)) {
            StreamChunk chunk = new StreamChunk(LateTickWriter.STREAM, null, 30);
            for (long o = 0; o < 30; o++) {
                chunk.add(o, LateTickWriter.tickAt(DAY, o));
            }
            store.write(DAY, List.of(chunk));
        }
        startWriter(live);
        List<Long> merges = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            long want = 40L * round;
            await().atMost(Duration.ofMinutes(1)).until(() -> storedCount() >= want);
            Cli.Run run = Cli.run("merge", "--data-dir", target.toString(), "--from", live.toString(), "--from", copy.toString());
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            // what a merge during the writes brought: a prefix of the stream, each record once, its position with it
            List<Long> offsets = offsets(DayFiles.path(target, DAY));
            assertThat(offsets).containsExactlyElementsOf(LongStream.range(0, offsets.size()).boxed().toList());
            assertThat(position(DayFiles.path(target, DAY))).isEqualTo(offsets.size());
            merges.add((long) offsets.size());
        }
        // the fault happened: the writer was still storing while the merges ran
        assertThat(writer.isAlive()).isTrue();

        Files.createFile(work.resolve("stop"));
        assertThat(writer.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(writer.exitValue()).isZero();
        long last = writerLines.stream().filter(l -> l.startsWith("stored ")).mapToLong(l -> Long.parseLong(l.substring(7))).max().orElseThrow();
        assertThat(last + 1).isGreaterThan(merges.get(merges.size() - 1));

        Cli.Run after = Cli.run("merge", "--data-dir", target.toString(), "--from", live.toString(), "--from", copy.toString());

        assertThat(after.exitCode()).as(after.out() + after.err()).isZero();
        assertThat(offsets(DayFiles.path(target, DAY))).containsExactlyElementsOf(LongStream.rangeClosed(0, last).boxed().toList());
        assertThat(position(DayFiles.path(target, DAY))).isEqualTo(last + 1);
    }

    private long storedCount() {
        return writerLines.stream().filter(l -> l.startsWith("stored ")).count();
    }

    /** The offsets of the target's rows, checked against their lineage, in offset order. */
    private static List<Long> offsets(Path file) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.name, t.position, t.broker_id FROM ticks t "
                     + "JOIN streams s ON s.id = t.stream_id ORDER BY t.position")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).isEqualTo(LateTickWriter.STREAM);
                assertThat(rs.getString(3)).isEqualTo("o" + rs.getLong(2));
                offsets.add(rs.getLong(2));
            }
        }
        return offsets;
    }

    private static long position(Path file) throws Exception {
        try (DayDatabase db = DayDatabase.open(file, DayFixtures.OPTIONS)) {
            return db.positions().get(LateTickWriter.STREAM);
        }
    }

    private void startWriter(Path dataDir) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir", work.toString()),
                LateTickWriter.class.getName(), dataDir.toString(), DAY.toString(), "0", work.resolve("stop").toString());
        pb.redirectError(work.resolve("writer.err").toFile());
        writer = pb.start();
        Thread output = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    writerLines.add(line);
                }
            } catch (java.io.IOException e) {
                writerLines.add("output lost: " + e);
            }
        }, "live-writer-output");
        output.setDaemon(true);
        output.start();
    }
}
