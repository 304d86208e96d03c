package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.NativeLibraryDir.Owner;
import io.ticksink.schema.NativeLibraryDir.ProcessTable;
import io.ticksink.schema.NativeLibraryDir.Seen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ownership rules of the native library directories, on a fake process table and real directories. */
class NativeLibraryDirTest {

    private static final String HOST = "node-1";
    private static final Instant T0 = Instant.parse("2026-11-29T03:00:00.120Z");

    @TempDir
    Path base;

    private static Owner owner(long pid, Instant started) {
        return new Owner(pid, Optional.of(started), HOST);
    }

    /** A process table holding exactly the given pids, started at the given times. */
    private static ProcessTable table(Map<Long, Instant> running) {
        return pid -> running.containsKey(pid) ? new Seen(true, Optional.of(running.get(pid))) : Seen.NONE;
    }

    /** A directory as sqlite-jdbc leaves it: its library copy and the lock beside it. */
    private Path extracted(Owner owner) throws IOException {
        Path dir = Files.createDirectory(base.resolve(owner.dirName()));
        Path lib = dir.resolve("sqlite-3.54.1.0-0f1e2d3c-libsqlitejdbc.so");
        Files.write(lib, new byte[4096]);
        Files.createFile(dir.resolve(lib.getFileName() + ".lck"));
        return dir;
    }

    @Test
    void aDirectoryNameSaysItsOwnersPidStartTimeAndHost() {
        Owner owner = owner(4242, T0);
        assertThat(owner.dirName()).isEqualTo("ticksink-4242-" + T0.toEpochMilli() + "@node-1");
        assertThat(Owner.of(owner.dirName())).contains(owner);
        Owner unknownStart = new Owner(7, Optional.empty(), "a.b-c_d");
        assertThat(Owner.of(unknownStart.dirName())).contains(unknownStart);
        assertThat(Owner.of("sqlite-3.54.1.0-0f1e-libsqlitejdbc.so")).isEmpty();
        assertThat(Owner.of("ticksink-12-x")).isEmpty();
        assertThat(Owner.of("ticksink-99999999999999999999-1@h")).isEmpty();
    }

    @Test
    void anOwnerIsGoneWhenNoProcessHasItsPid() {
        assertThat(NativeLibraryDir.gone(owner(10, T0), Seen.NONE)).isTrue();
    }

    @Test
    void anOwnerIsGoneWhenItsPidBelongsToAProcessStartedLater() {
        assertThat(NativeLibraryDir.gone(owner(10, T0), new Seen(true, Optional.of(T0.plusSeconds(3600))))).isTrue();
    }

    @Test
    void anOwnerWhosePidRunsWithItsStartTimeIsAlive() {
        assertThat(NativeLibraryDir.gone(owner(10, T0), new Seen(true, Optional.of(T0)))).isFalse();
        // the margin errs on the side of keeping
        assertThat(NativeLibraryDir.gone(owner(10, T0), new Seen(true, Optional.of(T0.plusMillis(10))))).isFalse();
    }

    @Test
    void aLivePidWhoseStartTimeIsUnknownOnEitherSideCountsAsTheOwner() {
        assertThat(NativeLibraryDir.gone(new Owner(10, Optional.empty(), HOST), new Seen(true, Optional.of(T0)))).isFalse();
        assertThat(NativeLibraryDir.gone(owner(10, T0), new Seen(true, Optional.empty()))).isFalse();
    }

    @Test
    void theOperatorsDirectoryIsTheBaseElseOnePerUserInTheTempDir() {
        assertThat(NativeLibraryDir.base("/app/native", "/tmp", "ticksink")).isEqualTo(Path.of("/app/native"));
        assertThat(NativeLibraryDir.base(null, "/tmp", "ticksink")).isEqualTo(Path.of("/tmp/ticksink-native-ticksink"));
        assertThat(NativeLibraryDir.base("  ", "/tmp", "a b/c")).isEqualTo(Path.of("/tmp/ticksink-native-a_b_c"));
    }

    @Test
    void aStartRemovesTheDirectoriesOfGoneProcessesAndKeepsTheLiveOnes() throws IOException {
        Owner self = owner(100, T0.plusSeconds(50));
        Path killed = extracted(owner(101, T0));
        Path reused = extracted(owner(102, T0));
        Path live = extracted(owner(103, T0.plusSeconds(5)));
        Path justStarting = Files.createDirectory(base.resolve(owner(104, T0.plusSeconds(49)).dirName())); // nothing extracted yet
        ProcessTable running = table(Map.of(100L, self.started().get(), 102L, T0.plusSeconds(40),
                103L, T0.plusSeconds(5), 104L, T0.plusSeconds(49)));

        Path own = NativeLibraryDir.prepareIn(base, self, running);

        assertThat(own).isEqualTo(base.resolve(self.dirName())).isDirectory();
        assertThat(killed).doesNotExist();
        assertThat(reused).doesNotExist();
        assertThat(live).isDirectory();
        try (var files = Files.list(live)) {
            assertThat(files.count()).as("the live process's copy and lock").isEqualTo(2);
        }
        assertThat(justStarting).isDirectory();
    }

    @Test
    void whatIsNotOursIsLeftAlone() throws IOException {
        Owner self = owner(100, T0);
        Path otherHost = Files.createDirectory(base.resolve(new Owner(101, Optional.of(T0), "node-2").dirName()));
        Path looseCopy = Files.createFile(base.resolve("sqlite-3.54.1.0-0f1e2d3c-libsqlitejdbc.so"));
        Path looseLock = Files.createFile(base.resolve("sqlite-3.54.1.0-0f1e2d3c-libsqlitejdbc.so.lck"));
        Path someoneElses = Files.createDirectory(base.resolve("ticksink-data"));
        Path fileNamedLikeOurs = Files.createFile(base.resolve(owner(102, T0).dirName()));
        Path link = Files.createSymbolicLink(base.resolve(owner(103, T0).dirName()), someoneElses);

        NativeLibraryDir.prepareIn(base, self, table(Map.of(100L, T0)));

        assertThat(otherHost).isDirectory();
        assertThat(looseCopy).exists();
        assertThat(looseLock).exists();
        assertThat(someoneElses).isDirectory();
        assertThat(fileNamedLikeOurs).exists();
        assertThat(link).isSymbolicLink();
    }

    @Test
    void cleanersStartingTogetherRemoveEachDeadDirectoryOnceWithoutFailing() throws Exception {
        List<Path> dead = new ArrayList<>();
        for (long pid = 200; pid < 260; pid++) {
            Path dir = extracted(owner(pid, T0));
            for (int i = 0; i < 20; i++) {
                Files.write(dir.resolve("more-" + i), new byte[128]);
            }
            dead.add(dir);
        }
        int cleaners = 6;
        ExecutorService pool = Executors.newFixedThreadPool(cleaners);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Path>> own = new ArrayList<>();
        for (int i = 0; i < cleaners; i++) {
            Owner self = owner(1000 + i, T0.plusSeconds(60));
            // every cleaner sees the others running; none of the 2xx pids
            ProcessTable running = pid -> pid >= 1000 ? new Seen(true, Optional.of(T0.plusSeconds(60))) : Seen.NONE;
            own.add(pool.submit(() -> {
                go.await();
                return NativeLibraryDir.prepareIn(base, self, running);
            }));
        }
        go.countDown();
        for (Future<Path> f : own) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isDirectory();
        }
        pool.shutdown();
        assertThat(dead).allSatisfy(d -> assertThat(d).doesNotExist());
        try (var left = Files.list(base)) {
            assertThat(left.count()).isEqualTo(cleaners);
        }
    }
}
