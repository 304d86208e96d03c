package io.ticksink.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.luben.zstd.ZstdInputStream;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayReader;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.StreamChunk;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickStore;
import io.ticksink.schema.WriteResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retention --compress} and {@code restore} beside a writer in another process that keeps
 * committing late ticks of the very day the tool works on. The writer is a child JVM writing
 * through the schema's {@link TickStore}, the consumer's own write path (see
 * {@link LateTickWriter}). Each tool is held at a hook point until the writer is proven to be in
 * the race; afterwards every tick the writer reported stored must be in the store exactly once.
 */
class ToolsBesideALiveWriterTest {

    // the fixed clock of Cli.run is 2026-03-01T12:00Z: this day is closed for --older-than 30d
    private static final LocalDate DAY = LocalDate.parse("2026-01-10");
    private static final int ARCHIVED = 1_000;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @TempDir
    Path work;

    private Path dayFile;
    private Process writer;
    private Thread writerOutput;
    private final List<String> writerLines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void aClosedDayOfArchivedTicks() throws Exception {
        dayFile = DayFiles.path(dataDir, DAY);
        StreamChunk chunk = new StreamChunk(LateTickWriter.STREAM, null, ARCHIVED);
        for (int offset = 0; offset < ARCHIVED; offset++) {
            chunk.add(offset, LateTickWriter.tickAt(DAY, offset));
        }
        try (TickStore store = new TickStore(dataDir, DayFixtures.OPTIONS)) {
            store.write(DAY, List.of(chunk));
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        RetentionCommand.heldBeforeDelete = file -> { };
        RestoreCommand.beforeMerge = file -> { };
        if (writer != null && writer.isAlive()) {
            writer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void retentionCompressLosesNoLateTickThatAWriterCommitsWhileItRuns() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")),
                "needs /proc to see that the writer has the day file open while the tool holds it");
        Path realDayFile = dayFile.toRealPath();
        startWriter(ARCHIVED);
        await().atMost(DEADLINE).until(() -> stored().size() >= 5);
        AtomicBoolean writerWasInTheRace = new AtomicBoolean();
        RetentionCommand.heldBeforeDelete = file -> {
            // the archive is written and the original not yet deleted: wait until the writer has
            // opened the very file, so that it is committing (or waiting to commit) a late tick
            await().atMost(DEADLINE).until(() -> writerHasOpen(realDayFile));
            writerWasInTheRace.set(true);
        };

        // a run that cannot take the file from the writer reports it SKIPPED (exit 1) and changes
        // nothing; the operator runs it again, and so does the test, until one compressed the day
        List<Cli.Run> runs = new CopyOnWriteArrayList<>();
        await().atMost(DEADLINE).until(() -> {
            Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress",
                    "--busy-timeout", "10s");
            runs.add(run);
            return run.exitCode() == 0 || !run.out().contains("SKIPPED");
        });

        Cli.Run run = runs.get(runs.size() - 1);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(writerWasInTheRace).as("the writer had the day file open while retention held it").isTrue();
        assertThat(DayArchiver.archiveOf(dayFile)).exists();
        int storedWhenDone = stored().size();
        awaitStored(storedWhenDone + 5);
        stopWriter();

        assertEveryStoredTickIsThereExactlyOnce();
        // the write the writer had begun on the held file was refused once the file was gone
        // (SQLITE_READONLY_DBMOVED) and went to a new day file on its retry
        assertThat(writerLines).as("the writer retried").anyMatch(l -> l.startsWith("retry ") && l.contains("READONLY_DBMOVED"));
        assertThat(dayFile).exists();
    }

    @Test
    void retentionDeleteLosesNoLateTickThatAWriterWasAboutToCommitToTheDeletedDay() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")),
                "needs /proc to see that the writer has the day file open while the tool holds it");
        Path realDayFile = dayFile.toRealPath();
        startWriter(ARCHIVED);
        await().atMost(DEADLINE).until(() -> stored().size() >= 5);
        AtomicLong inFlight = new AtomicLong(-1);
        RetentionCommand.heldBeforeDelete = file -> {
            // held, not yet deleted: wait until the writer has the file open and is stuck on the
            // lock with a tick it has not committed; that tick belongs to the store afterwards
            await().atMost(DEADLINE).until(() -> writerHasOpen(realDayFile) && lastLine().startsWith("writing "));
            inFlight.set(Long.parseLong(lastLine().substring("writing ".length())));
        };

        List<Cli.Run> runs = new CopyOnWriteArrayList<>();
        await().atMost(DEADLINE).until(() -> {
            Cli.Run run = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--delete",
                    "--busy-timeout", "10s");
            runs.add(run);
            return run.exitCode() == 0 || !run.out().contains("SKIPPED");
        });

        Cli.Run run = runs.get(runs.size() - 1);
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(inFlight.get()).as("the writer had a tick in flight while retention held the file").isNotNegative();
        int storedWhenDone = stored().size();
        awaitStored(storedWhenDone + 5);
        stopWriter();

        // the day's earlier ticks were deleted on purpose; the one in flight and all later ones stay, once each
        List<Long> inStore = new ArrayList<>();
        for (Path file : DayFiles.list(dataDir)) {
            if (DAY.equals(DayFiles.dayOf(file))) {
                offsetsIn(file, inStore);
            }
        }
        inStore.sort(null);
        long last = stored().get(stored().size() - 1);
        assertThat(inStore).as("offsets in the store").isEqualTo(LongStream.rangeClosed(inFlight.get(), last).boxed().toList());
    }

    @Test
    void restoreLosesNoLateTickThatAWriterCommitsToTheDayWhileItRestores() throws Exception {
        Cli.Run compress = Cli.run("retention", "--data-dir", dataDir.toString(), "--older-than", "30d", "--compress");
        assertThat(compress.exitCode()).as(compress.out()).isZero();
        assertThat(dayFile).doesNotExist();
        RestoreCommand.beforeMerge = file -> {
            // the archive is decompressed and the day file did not exist: now a late tick of the
            // day arrives and the writer creates the file and keeps committing to it
            startWriter(ARCHIVED);
            await().atMost(DEADLINE).until(() -> stored().size() >= 3);
        };

        Cli.Run run = Cli.run("restore", "--data-dir", dataDir.toString(), "--day", DAY.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(stored()).as("the writer committed to the day while restore ran").hasSizeGreaterThanOrEqualTo(3);
        int storedWhenDone = stored().size();
        awaitStored(storedWhenDone + 5);
        stopWriter();

        assertEveryStoredTickIsThereExactlyOnce();
        assertThat(DayArchiver.archiveOf(dayFile)).doesNotExist();
        long next = stored().get(stored().size() - 1) + 1;
        assertThat(DayReader.positions(dayFile)).containsEntry(LateTickWriter.STREAM, next);
        // a consumer redelivering anything already stored, archived ticks included, writes nothing
        StreamChunk redelivery = new StreamChunk(LateTickWriter.STREAM, null, (int) next);
        for (long offset = 0; offset < next; offset++) {
            redelivery.add(offset, LateTickWriter.tickAt(DAY, offset));
        }
        try (TickStore store = new TickStore(dataDir, DayFixtures.OPTIONS)) {
            assertThat(store.write(DAY, List.of(redelivery))).isEqualTo(new WriteResult(0, (int) next));
        }
        assertEveryStoredTickIsThereExactlyOnce();
    }

    /** The ticks of the day in its day files and archives are offsets 0..last stored, each once. */
    private void assertEveryStoredTickIsThereExactlyOnce() throws Exception {
        List<Long> reported = stored();
        assertThat(writerLines).noneMatch(line -> line.startsWith("skipped"));
        long last = reported.get(reported.size() - 1);
        assertThat(reported).as("the writer reports offsets %d..%d, each once", ARCHIVED, last)
                .isEqualTo(LongStream.rangeClosed(ARCHIVED, last).boxed().toList());
        List<Long> inStore = new ArrayList<>();
        for (Path file : DayFiles.list(dataDir)) {
            if (DAY.equals(DayFiles.dayOf(file))) {
                offsetsIn(file, inStore);
            }
        }
        for (Path archive : DayArchiver.listArchives(dataDir)) {
            Path copy = work.resolve(archive.getFileName() + ".read");
            try (InputStream in = new ZstdInputStream(Files.newInputStream(archive))) {
                Files.copy(in, copy);
            }
            offsetsIn(copy, inStore);
        }
        java.util.Map<Long, Long> copies = inStore.stream()
                .collect(java.util.stream.Collectors.groupingBy(o -> o, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        List<Long> missing = LongStream.rangeClosed(0, last).filter(o -> !copies.containsKey(o)).boxed().toList();
        List<Long> twice = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(java.util.Map.Entry::getKey).toList();
        assertThat(missing).as("offsets stored but missing from the store").isEmpty();
        assertThat(twice).as("offsets stored more than once").isEmpty();
        assertThat(copies.keySet()).as("offsets in the store").containsExactlyElementsOf(
                LongStream.rangeClosed(0, last).boxed().toList());
    }

    private static void offsetsIn(Path file, List<Long> into) throws StoreException {
        for (Tick t : DayReader.readAll(file)) {
            into.add(Long.parseLong(t.brokerId().substring(1)));
        }
    }

    private void startWriter(long firstOffset) {
        try {
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                    "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir", work.toString()),
                    LateTickWriter.class.getName(), dataDir.toString(), DAY.toString(), Long.toString(firstOffset),
                    work.resolve("stop").toString());
            pb.redirectError(work.resolve("writer.err").toFile());
            writer = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the writer", e);
        }
        writerOutput = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    writerLines.add(line);
                }
            } catch (IOException e) {
                writerLines.add("output lost: " + e);
            }
        }, "late-tick-writer-output");
        writerOutput.start();
    }

    private void stopWriter() throws Exception {
        Files.createFile(work.resolve("stop"));
        assertThat(writer.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the writer stops").isTrue();
        writerOutput.join(DEADLINE.toMillis());
        assertThat(writer.exitValue()).as(Files.readString(work.resolve("writer.err"))).isZero();
    }

    /** Waits until the writer has stored {@code count} ticks; tells what it printed last if it never does. */
    private void awaitStored(int count) throws IOException {
        try {
            await().atMost(DEADLINE).until(() -> stored().size() >= count);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> tail = writerLines.subList(Math.max(0, writerLines.size() - 5), writerLines.size());
            throw new AssertionError("the writer stored " + stored().size() + " ticks, not " + count + "; it printed last: "
                    + tail + "; stderr: " + Files.readString(work.resolve("writer.err")), e);
        }
    }

    private String lastLine() {
        return writerLines.isEmpty() ? "" : writerLines.get(writerLines.size() - 1);
    }

    private List<Long> stored() {
        return writerLines.stream().filter(l -> l.startsWith("stored ")).map(l -> Long.parseLong(l.substring(7))).toList();
    }

    /** Whether the writer process has a descriptor open on the file (by its path at open time). */
    private boolean writerHasOpen(Path realFile) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(writer.pid()), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(realFile.toString());
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
